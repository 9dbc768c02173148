// Static reference data for the seeded order generator: cities, streets, toll gates; fare rules come from the knowledge base's rate tables.
import { FARE_RATE_TABLES, fareRulesFrom, VEHICLE_TYPES, type FareRates, type FareRateTable } from '../domain/rate-tables';
import type { FeeCode, VehicleType } from '../integrations/types';
import { bundledRates } from '../kb/files';

export type Region = 'prd' | 'yrd' | 'north' | 'sw';

export interface City {
  name: string;
  region: Region;
  lat: number;
  lon: number;
  districts: { name: string; streets: string[] }[];
}

export const CITIES: City[] = [
  {
    name: '深圳', region: 'prd', lat: 22.54, lon: 114.06,
    districts: [
      { name: '南山区', streets: ['科技园南路', '深南大道', '沙河西路', '南海大道'] },
      { name: '福田区', streets: ['华强北路', '福华三路', '彩田路', '新洲路'] },
      { name: '罗湖区', streets: ['人民南路', '东门中路', '笋岗路'] },
      { name: '宝安区', streets: ['宝安大道', '新湖路', '福永大道'] },
      { name: '龙岗区', streets: ['龙岗大道', '布吉路', '坂田五和大道'] },
      { name: '龙华区', streets: ['民治大道', '人民路', '观澜大道'] },
    ],
  },
  {
    name: '广州', region: 'prd', lat: 23.13, lon: 113.26,
    districts: [
      { name: '天河区', streets: ['天河路', '华夏路', '中山大道西'] },
      { name: '越秀区', streets: ['中山五路', '东风中路', '北京路'] },
      { name: '海珠区', streets: ['江南大道中', '新港东路', '工业大道'] },
      { name: '白云区', streets: ['机场路', '白云大道北', '太和镇广从路'] },
      { name: '番禺区', streets: ['市桥路', '迎宾路', '汉溪大道'] },
      { name: '黄埔区', streets: ['黄埔东路', '开创大道', '科学大道'] },
    ],
  },
  {
    name: '东莞', region: 'prd', lat: 23.02, lon: 113.75,
    districts: [
      { name: '南城街道', streets: ['鸿福路', '宏图路', '莞太路'] },
      { name: '东城街道', streets: ['东纵大道', '东城中路', '莞樟路'] },
      { name: '长安镇', streets: ['长安中路', '振安路', '锦厦路'] },
      { name: '虎门镇', streets: ['虎门大道', '连升路', '银龙路'] },
      { name: '松山湖', streets: ['工业西路', '新竹路', '科技九路'] },
    ],
  },
  {
    name: '佛山', region: 'prd', lat: 23.02, lon: 113.12,
    districts: [
      { name: '禅城区', streets: ['季华路', '汾江中路', '佛山大道中'] },
      { name: '南海区', streets: ['南海大道', '桂澜路', '狮山大道'] },
      { name: '顺德区', streets: ['凤山路', '容桂大道', '北滘跃进路'] },
    ],
  },
  {
    name: '惠州', region: 'prd', lat: 23.11, lon: 114.42,
    districts: [
      { name: '惠城区', streets: ['文明一路', '演达大道', '麦地路'] },
      { name: '惠阳区', streets: ['开城大道', '淡水人民路', '新桥路'] },
    ],
  },
  {
    name: '上海', region: 'yrd', lat: 31.23, lon: 121.47,
    districts: [
      { name: '浦东新区', streets: ['张江路', '世纪大道', '川沙路', '外高桥洲海路'] },
      { name: '徐汇区', streets: ['漕溪北路', '虹桥路', '龙华中路'] },
      { name: '静安区', streets: ['南京西路', '共和新路', '延长中路'] },
      { name: '闵行区', streets: ['七莘路', '沪闵路', '莘庄都市路'] },
      { name: '嘉定区', streets: ['曹安公路', '嘉松北路', '安亭墨玉路'] },
      { name: '宝山区', streets: ['牡丹江路', '共康路', '蕰川路'] },
    ],
  },
  {
    name: '苏州', region: 'yrd', lat: 31.3, lon: 120.58,
    districts: [
      { name: '姑苏区', streets: ['人民路', '干将西路', '石路'] },
      { name: '工业园区', streets: ['星湖街', '苏州大道东', '现代大道'] },
      { name: '吴中区', streets: ['东吴北路', '宝带东路', '吴中大道'] },
      { name: '昆山市', streets: ['前进中路', '黄浦江路', '花桥商务大道'] },
    ],
  },
  {
    name: '杭州', region: 'yrd', lat: 30.27, lon: 120.15,
    districts: [
      { name: '西湖区', streets: ['文三路', '天目山路', '留和路'] },
      { name: '滨江区', streets: ['江南大道', '网商路', '长河路'] },
      { name: '余杭区', streets: ['文一西路', '良睦路', '临平大道'] },
      { name: '萧山区', streets: ['市心中路', '金城路', '萧山机场路'] },
    ],
  },
  {
    name: '北京', region: 'north', lat: 39.9, lon: 116.4,
    districts: [
      { name: '朝阳区', streets: ['建国路', '望京街', '东三环中路', '十里河'] },
      { name: '海淀区', streets: ['中关村大街', '西三环北路', '上地十街'] },
      { name: '丰台区', streets: ['丰台北路', '南四环西路', '科学城路'] },
      { name: '大兴区', streets: ['黄村西大街', '亦庄荣华中路', '旧宫东路'] },
      { name: '通州区', streets: ['新华大街', '九棵树东路', '马驹桥兴贸一街'] },
    ],
  },
  {
    name: '天津', region: 'north', lat: 39.13, lon: 117.2,
    districts: [
      { name: '和平区', streets: ['南京路', '滨江道', '营口道'] },
      { name: '滨海新区', streets: ['第三大街', '新港二号路', '黄海路'] },
      { name: '武清区', streets: ['泉兴路', '京津公路', '雍阳西道'] },
    ],
  },
  {
    name: '成都', region: 'sw', lat: 30.57, lon: 104.07,
    districts: [
      { name: '武侯区', streets: ['人民南路四段', '武侯大道', '科华北路'] },
      { name: '锦江区', streets: ['春熙路', '东大街', '静安路'] },
      { name: '高新区', streets: ['天府大道北段', '天府三街', '益州大道'] },
      { name: '双流区', streets: ['航空港大道', '牧华路', '藏卫路'] },
    ],
  },
];

export const BUILDINGS = ['', '', '', '物流园A区', '物流园B栋', '仓库3号门', '工业园12栋', '商务中心', '花园小区', '大厦一楼', '创业园'];

export const TOLL_GATES: Record<Region, string[]> = {
  prd: ['南坪收费站', '梅林收费站', '龙岗收费站', '太和收费站', '火村收费站', '虎门收费站', '鹤洲收费站', '广州北收费站', '惠州西收费站'],
  yrd: ['安亭收费站', '花桥收费站', '苏州新区收费站', '杭州北收费站', '嘉兴收费站', '莘庄收费站'],
  north: ['台湖收费站', '马驹桥收费站', '杨村收费站', '西红门收费站'],
  sw: ['成都南收费站', '绕城高新收费站', '双流收费站'],
};

/** The fare rules the order system bills with: the rate-table articles of data/kb plus the simulated driving speed. */
export interface FareRule extends FareRates {
  /** average speed, km/h (simulation only, not a rate) */
  speedKmh: number;
}

const SPEED_KMH: Record<VehicleType, number> = { minivan: 35, van: 33, small_truck: 30, medium_truck: 28, large_truck: 25 };

/** The seeded orders start on this day: they are billed with the rate tables in force then. */
const RATES_AT = new Date('2026-10-01T00:00:00+08:00');

function fareRulesAt(at: Date): Record<VehicleType, FareRule> {
  const blocks = Object.fromEntries(Object.keys(FARE_RATE_TABLES).map((table) => [table, bundledRates(table, at)])) as Record<FareRateTable, Record<string, unknown>>;
  const rates = fareRulesFrom(blocks);
  return Object.fromEntries(VEHICLE_TYPES.map((v) => [v, { ...rates[v], speedKmh: SPEED_KMH[v] }])) as Record<VehicleType, FareRule>;
}

/** One source of truth: change a rate in its article (data/kb/zh|en/rate_table) and the sandbox bills with it. */
export const FARE_RULES: Record<VehicleType, FareRule> = fareRulesAt(RATES_AT);

/** relative popularity of each vehicle type */
export const VEHICLE_WEIGHTS: [VehicleType, number][] = [
  ['minivan', 30],
  ['van', 30],
  ['small_truck', 20],
  ['medium_truck', 12],
  ['large_truck', 8],
];

export const FEE_LABELS: Record<FeeCode, { label: string; labelZh: string }> = {
  base_fare: { label: 'Base fare', labelZh: '起步价' },
  distance_fee: { label: 'Distance fee', labelZh: '里程费' },
  cross_city_surcharge: { label: 'Cross-city surcharge', labelZh: '跨城附加费' },
  waiting_fee: { label: 'Waiting fee', labelZh: '等候费' },
  toll: { label: 'Toll', labelZh: '过路费' },
  night_surcharge: { label: 'Night surcharge', labelZh: '夜间服务费' },
  porterage: { label: 'Porterage', labelZh: '搬运费' },
  cancellation_fee: { label: 'Cancellation fee', labelZh: '取消费' },
  coupon: { label: 'Coupon', labelZh: '优惠券' },
};
