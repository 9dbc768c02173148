// Wire types shared by our HTTP clients and the bundled sandbox servers.
// Money is always an integer number of fen (1 CNY = 100 fen); times are ISO-8601 strings.

export type FeeCode =
  | 'base_fare'
  | 'distance_fee'
  | 'cross_city_surcharge'
  | 'waiting_fee'
  | 'toll'
  | 'night_surcharge'
  | 'porterage'
  | 'cancellation_fee'
  | 'coupon';

export interface FeeItem {
  code: FeeCode;
  label: string;
  labelZh: string;
  /** fen; coupons are negative */
  amount: number;
  /** for tolls: the gate name; for waiting: minutes billed */
  detail?: string;
}

export interface Place {
  city: string;
  district: string;
  address: string;
}

export interface TollPassage {
  gate: string;
  at: string;
  amount: number;
}

export interface Payment {
  id: string;
  method: 'wechat' | 'alipay' | 'card' | 'balance';
  amount: number;
  status: 'captured' | 'refunded' | 'partially_refunded';
  at: string;
  /** fen refunded so far on this payment (sandbox: derived from finance refunds) */
  refundedAmount?: number;
}

export type VehicleType = 'minivan' | 'van' | 'small_truck' | 'medium_truck' | 'large_truck';

export interface Order {
  id: string;
  userId: string;
  driverId: string;
  vehicleType: VehicleType;
  status: 'completed' | 'cancelled' | 'in_progress';
  origin: Place;
  destination: Place;
  distanceKm: number;
  times: {
    bookedAt: string;
    promisedPickupAt: string;
    driverArrivedAt: string | null;
    pickedUpAt: string | null;
    deliveredAt: string | null;
  };
  /** waiting recorded by the driver app at pickup */
  waiting: { freeMinutes: number; actualMinutes: number; ratePerMinute: number };
  tolls: TollPassage[];
  fees: FeeItem[];
  /** sum of fees */
  total: number;
  payments: Payment[];
  /** sandbox only: which seeded scenario this order illustrates */
  scenario?: OrderScenario;
  /** customer's mobile number (e.g. for SMS notifications) */
  userPhone?: string;
  /** present when status === 'cancelled' */
  cancellation?: { at: string; by: 'user' | 'driver' | 'system'; reason: string };
}

export type OrderScenario =
  | 'correct_bill'
  | 'waiting_fee_overcharged'
  | 'wrongful_cross_city_surcharge'
  | 'double_charged_toll'
  | 'double_payment'
  | 'late_arrival'
  | 'driver_no_show'
  | 'cancelled_with_fee';

/** What the money is for: all tickets of an order share one ledger per cause (see domain/money-policy). */
export type PaymentCause = 'overcharge' | 'cargo_claim' | 'late_arrival' | 'goodwill' | 'apology';

export interface RefundRequest {
  orderId: string;
  /** fen, > 0 */
  amount: number;
  reason: string;
  ticketId?: string;
  cause?: PaymentCause;
}

export interface Refund extends RefundRequest {
  id: string;
  status: 'succeeded';
  idempotencyKey: string;
  createdAt: string;
}

export interface CouponRequest {
  userId: string;
  /** fen, > 0 */
  amount: number;
  reason: string;
  validDays: number;
  ticketId?: string;
  /** the order the coupon compensates, so the order's ledger can be read */
  orderId?: string;
  cause?: PaymentCause;
}

export interface Coupon extends CouponRequest {
  id: string;
  code: string;
  idempotencyKey: string;
  createdAt: string;
  expiresAt: string;
}

/** One row per HTTP call the finance sandbox received, replays included. */
export interface FinanceRequestLogEntry {
  at: string;
  method: string;
  path: string;
  idempotencyKey: string | null;
  /** 'created' | 'replayed' | 'rejected' */
  outcome: 'created' | 'replayed' | 'rejected';
  status: number;
  /** which resource the POST targeted */
  kind?: 'refund' | 'coupon';
  /** id of the refund/coupon created or replayed */
  resourceId?: string;
  orderId?: string;
  userId?: string;
  ticketId?: string;
  amount?: number;
  /** error code when rejected */
  error?: string;
  /** set when the response was replaced by an injected fault */
  injectedFault?: 'before' | 'after';
}

export type UserTier = 'standard' | 'vip' | 'enterprise';

/** A customer as the user system knows them: the tier is the system's, not the caller's word. */
export interface UserProfile {
  id: string;
  tier: UserTier;
  phone: string;
  /** where e-mail notices go (absent for users without one) */
  email?: string;
  memberSince: string;
}

export interface SmsMessage {
  id: string;
  to: string;
  text: string;
  at: string;
  /** the sender's Idempotency-Key, when it sent one */
  idempotencyKey?: string;
}

/** What the driver app recorded for an order: proof for cargo claims. */
export interface OrderEvidence {
  orderId: string;
  trajectory: Array<{ at: string; progressKm: number; place: string }>;
  signOffPhotos: string[];
  signedBy: string | null;
}
