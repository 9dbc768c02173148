// A realistic development team for `npm start` (development only): three dozen agents over the SOPs'
// groups, with Chinese and English names, capacities and statuses. Their shared password is generated
// once and kept in DATA_DIR/dev-team.json (mode 0600), with the usernames, so a person can log in.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inArray } from 'drizzle-orm';
import { createStaff } from '../api/accounts';
import type { StaffRole } from '../api/access-rules';
import { staff, type AgentStatus, type Database } from '../schema';
import { setGroupPolicy, upsertAgentProfile } from '../schema/dispatch-repository';
import { DEFAULT_GROUP_POLICY } from '../domain/dispatch';

interface Member {
  id: string;
  name: string;
  role: StaffRole;
  groups: string[];
  max: number;
  status: AgentStatus;
}

const m = (id: string, name: string, groups: string[], max = 5, status: AgentStatus = 'online', role: StaffRole = 'agent'): Member => ({ id, name, role, groups, max, status });

export const DEV_TEAM: Member[] = [
  m('E1001', '王芳', ['triage', 'general_group'], 8),
  m('E1002', '李娜', ['triage', 'general_group'], 8),
  m('E1003', 'Emily Chen', ['triage', 'general_group'], 6, 'away'),
  m('E1004', '张伟', ['triage'], 8),
  m('E1005', 'Jason Liu', ['general_group'], 6, 'offline'),
  m('E1011', '刘洋', ['fee_group'], 5),
  m('E1012', '陈静', ['fee_group'], 5),
  m('E1013', 'Grace Zhou', ['fee_group', 'general_group'], 5),
  m('E1014', '杨磊', ['fee_group'], 4, 'away'),
  m('E1015', 'Kevin Wu', ['fee_group'], 5, 'offline'),
  m('E1021', '赵敏', ['order_exception_group'], 5),
  m('E1022', '黄强', ['order_exception_group'], 5),
  m('E1023', 'Sophie Lin', ['order_exception_group', 'general_group'], 5),
  m('E1024', '周杰', ['order_exception_group'], 4, 'offline'),
  m('E1031', '吴霞', ['claims_group'], 4),
  m('E1032', '徐刚', ['claims_group'], 4),
  m('E1033', 'Daniel Xu', ['claims_group'], 4, 'away'),
  m('E1034', '孙丽', ['claims_group', 'fee_group'], 4),
  m('E1041', '马超', ['safety_group'], 3),
  m('E1042', '朱琳', ['safety_group'], 3),
  m('E1043', 'Rachel Ma', ['safety_group'], 3),
  m('E1044', '胡军', ['safety_group'], 3, 'offline'),
  m('E1051', '郭婷', ['qa_group'], 6),
  m('E1052', 'Michael He', ['qa_group'], 6),
  m('E1053', '何伟', ['qa_group'], 6, 'away'),
  m('E1061', '高鹏', ['tech_team'], 4),
  m('E1062', 'Linda Gao', ['tech_team'], 4),
  m('E1063', '罗斌', ['tech_team'], 4, 'offline'),
  m('E1071', '梁雪', ['general_group'], 6),
  m('E1072', 'Tony Liang', ['general_group', 'order_exception_group'], 6),
  m('S2001', '宋主管', ['supervisor_group'], 10, 'online', 'supervisor'),
  m('S2002', 'Helen Song', ['supervisor_group', 'safety_group'], 10, 'online', 'supervisor'),
  m('S2003', '唐建国', ['supervisor_group', 'fee_group'], 10, 'away', 'supervisor'),
  m('S2004', 'Victor Tang', ['supervisor_group'], 10, 'offline', 'supervisor'),
  m('A3001', '韩管理', [], 0, 'offline', 'admin'),
];

/** Safety goes round-robin (spread the heavy cases), triage is pulled, the rest least-loaded. */
const POLICIES = [
  { group: 'safety_group', policy: 'round_robin' as const, silenceMs: 15 * 60_000, silenceAction: 'notify_supervisor' as const },
  { group: 'triage', policy: 'pull_only' as const, silenceMs: null, silenceAction: null },
  { group: 'fee_group', policy: 'least_loaded' as const, silenceMs: 60 * 60_000, silenceAction: 'remind' as const },
];

/** Creates the members that do not exist yet (and their profiles); returns where their password is. */
export async function seedDevTeam(db: Database, dataDir: string): Promise<{ file: string; created: number }> {
  const file = path.join(dataDir, 'dev-team.json');
  const stored = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { password: string }) : null;
  const password = stored?.password ?? randomBytes(12).toString('base64url');
  if (!stored) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify({ password, usernames: DEV_TEAM.map((p) => p.id.toLowerCase()) }, null, 2)}\n`, { mode: 0o600 });
  }
  const existing = new Set((await db.select({ id: staff.id }).from(staff).where(inArray(staff.id, DEV_TEAM.map((p) => p.id)))).map((r) => r.id));
  let created = 0;
  for (const p of DEV_TEAM.filter((p) => !existing.has(p.id))) {
    await createStaff(db, { id: p.id, username: p.id.toLowerCase(), password, role: p.role, displayName: p.name, createdBy: 'npm start (dev team)' });
    if (p.role !== 'admin') await upsertAgentProfile(db, p.id, { groups: p.groups, maxConcurrent: p.max, status: p.status });
    created++;
  }
  if (created) for (const policy of POLICIES) await setGroupPolicy(db, { ...DEFAULT_GROUP_POLICY, ...policy });
  return { file, created };
}
