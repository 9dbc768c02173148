// The page's texts in Chinese and English, and the language the user chose (kept in localStorage).
import { $, h } from './dom.js';

const LANG_KEY = 'ticketflow.designer.lang';
let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
export const currentLang = () => lang;
export function toggleLang() {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem(LANG_KEY, lang);
}

export const TEXT = {
  appTitle: ['工单流程设计器', 'SOP designer'],
  sopList: ['流程列表', 'SOPs'],
  versions: ['已发布版本', 'Published versions'],
  loading: ['加载中…', 'Loading…'],
  pickSop: ['请在左侧选择一个流程', 'Pick an SOP on the left'],
  problems: ['校验结果', 'Validation'],
  fit: ['适应', 'Fit'],
  publish: ['发布', 'Publish'],
  tabStep: ['步骤', 'Step'],
  tabDoc: ['流程设置', 'Procedure'],
  tabYaml: ['YAML', 'YAML'],
  tabDiff: ['对比', 'Diff'],
  addStep: ['＋ 新增步骤', '+ Add step'],
  stepId: ['步骤 ID', 'Step id'],
  kind: ['类型', 'Kind'],
  add: ['添加', 'Add'],
  selectStepHint: ['点击流程图中的节点以编辑该步骤', 'Click a node of the diagram to edit its step'],
  yamlHint: ['整个草稿的 YAML,可直接编辑;修改会实时同步到流程图。', 'The whole draft as YAML; edits apply to the diagram as you type.'],
  discard: ['放弃修改', 'Discard changes'],
  publishTitle: ['发布新版本', 'Publish a new version'],
  adminToken: ['管理员令牌', 'Admin token'],
  rememberToken: ['在此浏览器中记住令牌', 'Remember the token in this browser'],
  cancel: ['取消', 'Cancel'],
  confirmPublish: ['确认发布', 'Publish'],
  start: ['开始', 'Start'],
  valid: ['✓ 校验通过', '✓ Valid'],
  invalid: ['✗ {n} 个问题', '✗ {n} problem(s)'],
  checking: ['校验中…', 'Checking…'],
  validationDown: ['无法校验', 'Cannot validate'],
  noProblems: ['没有问题,可以发布。', 'No problems: ready to publish.'],
  changes: ['{n} 处未发布修改', '{n} unpublished change(s)'],
  latest: ['最新', 'latest'],
  editing: ['编辑中', 'editing'],
  basedOn: ['草稿基于 v{v}', 'draft based on v{v}'],
  // step form
  id: ['步骤 ID', 'Step id'],
  rename: ['重命名', 'Rename'],
  remove: ['删除步骤', 'Remove step'],
  reallyRemove: ['确认删除?', 'Really remove?'],
  setStart: ['设为起始步骤', 'Make it the start'],
  isStart: ['起始步骤', 'start step'],
  nameZh: ['名称(中文)', 'Name (Chinese)'],
  nameEn: ['名称(英文)', 'Name (English)'],
  owner: ['负责方', 'Owner'],
  ownerHint: ['技能组、system(系统)或 user(用户)', "a skill group, 'system' or 'user'"],
  sla: ['时限 SLA', 'SLA'],
  durationHint: ['如 30s、15m、4h、2d,或 $策略名', "e.g. 30s, 15m, 4h, 2d, or $policyName"],
  onBreach: ['超时处理', 'On SLA breach'],
  breachNone: ['(不处理)', '(nothing)'],
  breachEscalate: ['升级并结束等待', 'escalate and stop waiting'],
  breachNotify: ['通知并继续等待', 'notify and keep waiting'],
  breachContinue: ['转到步骤', 'go to a step'],
  breachTo: ['通知/升级对象', 'To (group)'],
  breachNext: ['超时后转到', 'Then go to'],
  silence: ['处理人无操作时', 'When the holder is silent'],
  silenceGroup: ['(按技能组规则)', "(the group's rule)"],
  silenceRemind: ['提醒处理人', 'remind the holder'],
  silenceReassign: ['退回队列重新分配', 'reassign'],
  silenceNotify: ['通知主管', 'notify the supervisors'],
  silenceAfter: ['无操作时长', 'After no action for'],
  action: ['调用动作', 'Action'],
  needs: ['必填参数', 'needs'],
  optional: ['可选', 'optional'],
  returns: ['返回', 'returns'],
  input: ['参数(JSON)', 'Inputs (JSON)'],
  output: ['结果保存为', 'Store the result as'],
  next: ['下一步', 'Next step'],
  onError: ['失败时转到', 'On failure go to'],
  onErrorHint: ['留空 = 升级处理', 'empty = escalate'],
  group: ['处理组', 'Group'],
  taskZh: ['任务说明(中文)', 'Task (Chinese)'],
  taskEn: ['任务说明(英文)', 'Task (English)'],
  decisions: ['可选决定(逗号分隔)', 'Decisions (comma-separated)'],
  perDecision: ['每个决定分别指定下一步', 'One next step per decision'],
  signal: ['等待信号', 'Signal'],
  timeout: ['等待时限', 'Timeout'],
  onTimeout: ['超时转到', 'On timeout go to'],
  branches: ['条件分支(按顺序,第一个成立的生效)', 'Branches (first that holds wins)'],
  branch: ['条件 {n}', 'Branch {n}'],
  when: ['条件(JSON Logic)', 'When (JSON Logic)'],
  addBranch: ['＋ 新增条件', '+ Add branch'],
  otherwise: ['否则转到', 'Otherwise go to'],
  to: ['通知对象', 'To'],
  toHint: ['user(用户)或技能组', "'user' or a skill group"],
  messageZh: ['消息(中文)', 'Message (Chinese)'],
  messageEn: ['消息(英文)', 'Message (English)'],
  messageHint: ['{{路径}} 会替换为工单数据,如 {{ticket.orderId}}', '{{path}} is filled from the ticket, e.g. {{ticket.orderId}}'],
  channels: ['渠道', 'Channels'],
  escalateTo: ['升级到', 'Escalate to'],
  level: ['级别', 'Level'],
  reason: ['原因代码', 'Reason code'],
  escalateNext: ['之后继续(可选)', 'Then continue with (optional)'],
  escalateNextHint: ['留空 = 工单以升级状态结束', 'empty = the ticket ends escalated'],
  resolution: ['结案代码', 'Resolution'],
  resolutionHint: ['rerouted_<类型> 会转到该类型的流程', 'rerouted_<type> continues under that type'],
  data: ['结案数据(JSON)', 'Resolution data (JSON)'],
  badJson: ['JSON 格式错误:', 'Not valid JSON: '],
  stepErrors: ['此步骤的问题', 'Problems of this step'],
  // doc form
  docType: ['工单类型', 'Ticket type'],
  docNameZh: ['流程名称(中文)', 'Name (Chinese)'],
  docNameEn: ['流程名称(英文)', 'Name (English)'],
  appliesTo: ['适用分类(逗号分隔)', 'Applies to (comma-separated)'],
  appliesToHint: ['分类/子类 或 分类/*', "'category/subtype' or 'category/*'"],
  startStep: ['起始步骤', 'Start step'],
  policy: ['策略参数', 'Policy'],
  policyHint: ['条件中用 policy.名称 读取,时限中用 $名称', 'read as policy.NAME in conditions and $NAME in durations'],
  addPolicy: ['＋ 新增参数', '+ Add'],
  policyName: ['参数名', 'name'],
  policyValue: ['值', 'value'],
  // add step
  badId: ['ID 只能包含字母、数字和下划线,且不能以数字开头', 'Use letters, digits and _, not starting with a digit'],
  idTaken: ['已存在同名步骤', 'A step with this id exists'],
  // diff
  diffBase: ['草稿与已发布的 v{v} 对比', 'Draft compared with published v{v}'],
  noDiff: ['草稿与已发布版本相同。', 'The draft equals the published version.'],
  diffDoc: ['流程设置', 'Procedure'],
  diffAdded: ['新增步骤', 'Added steps'],
  diffRemoved: ['删除步骤', 'Removed steps'],
  diffChanged: ['修改步骤', 'Changed steps'],
  // yaml
  yamlNotObject: ['YAML 顶层必须是一个对象', 'The YAML must be a mapping at the top'],
  yamlLine: ['第 {line} 行:', 'line {line}: '],
  // publish
  publishSummary: ['将 {type} 发布为 v{v}({n} 处修改)。已在处理中的工单继续使用原版本。', 'Publish {type} as v{v} ({n} change(s)). Tickets already running keep their version.'],
  publishing: ['发布中…', 'Publishing…'],
  published: ['已发布 {type} v{v}', 'Published {type} v{v}'],
  unauthorized: ['令牌无效或未填写:请输入管理员令牌。', 'The token is missing or unknown: enter an admin token.'],
  forbidden: ['没有发布权限:此令牌不是管理员令牌,只有管理员可以发布流程。', 'Not allowed: this token is not an admin token; only admins may publish SOPs.'],
  serverInvalid: ['服务器校验未通过,共 {n} 个问题,请查看校验结果。', 'The server rejected the SOP: {n} problem(s), see Validation.'],
  publishFailed: ['发布失败:', 'Publishing failed: '],
  restored: ['已恢复此流程未发布的草稿', 'Restored your unpublished draft of this SOP'],
  confirmDiscard: ['放弃当前未发布的修改?', 'Discard your unpublished changes?'],
  loadFailed: ['加载失败:', 'Could not load: '],
  diagramFailed: ['流程图无法绘制:', 'Cannot draw the diagram: '],
  missingStep: ['不存在', 'missing'],
  edgeOtherwise: ['否则', 'otherwise'],
  edgeError: ['失败', 'on error'],
  edgeTimeout: ['超时', 'timeout'],
  edgeBreach: ['超出时限', 'SLA breach'],
};
export const KIND_TEXT = {
  action: ['自动动作', 'Action'],
  human_task: ['人工任务', 'Human task'],
  wait_signal: ['等待信号', 'Wait for signal'],
  decision: ['条件分支', 'Decision'],
  notify: ['通知', 'Notify'],
  escalate: ['升级', 'Escalate'],
  close: ['结案', 'Close'],
};
export const STEP_KINDS = Object.keys(KIND_TEXT);

export function t(key, vars = {}) {
  const pair = TEXT[key] ?? KIND_TEXT[key];
  if (!pair) return key;
  let s = pair[currentLang() === 'zh' ? 0 : 1];
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}
/** a label: Chinese with an English subtitle in zh mode, English alone in en mode */
export function bilingual(key, vars) {
  const pair = TEXT[key] ?? KIND_TEXT[key];
  if (!pair || currentLang() === 'en') return h('span', {}, t(key, vars));
  let en = pair[1];
  for (const [k, v] of Object.entries(vars ?? {})) en = en.replaceAll(`{${k}}`, String(v));
  return h('span', {}, t(key, vars), h('small', { class: 'sub' }, en));
}
export const kindName = (kind) => (KIND_TEXT[kind] ? KIND_TEXT[kind][currentLang() === 'zh' ? 0 : 1] : String(kind));
export const localized = (text) => (text && typeof text === 'object' ? text[currentLang()] || text.zh || text.en || '' : typeof text === 'string' ? text : '');

/** the static page's labels (data-i18n) and the language button */
export function applyI18n() {
  document.documentElement.lang = currentLang() === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const key = el.dataset.i18n;
    const short = el.closest('button, .tab, summary, option') || el.tagName === 'H1';
    el.replaceChildren(short ? t(key) : bilingual(key));
  }
  $('lang-toggle').textContent = currentLang() === 'zh' ? 'EN' : 'ZH';
  $('lang-toggle').title = currentLang() === 'zh' ? 'Switch to English' : '切换到中文';
}
