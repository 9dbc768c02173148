// Ticketflow SOP designer: edit a ticket type's procedure (SopDocument, see sops/types.ts) as a
// diagram + forms + YAML, validate it live against the API and publish it as a new version.
// Plain ES module, no build step. mermaid comes from /vendor/mermaid.min.js (window.mermaid).
import * as YAML from '/vendor/yaml.js';

const mermaid = window.mermaid;

// ---------------------------------------------------------------- i18n
const TEXT = {
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
const KIND_TEXT = {
  action: ['自动动作', 'Action'],
  human_task: ['人工任务', 'Human task'],
  wait_signal: ['等待信号', 'Wait for signal'],
  decision: ['条件分支', 'Decision'],
  notify: ['通知', 'Notify'],
  escalate: ['升级', 'Escalate'],
  close: ['结案', 'Close'],
};
const STEP_KINDS = Object.keys(KIND_TEXT);

const state = {
  lang: localStorage.getItem('ticketflow.designer.lang') === 'en' ? 'en' : 'zh',
  catalog: { actions: {}, signals: ['confirmation', 'evidence_uploaded', 'tech_fixed'], skillGroups: [], stepKinds: STEP_KINDS },
  sops: [],
  type: null,
  versions: [],
  loadedVersion: null,
  published: null,
  publishedVersion: null,
  draft: null,
  selected: null,
  errors: [],
  validity: 'none',
  validationFailure: '',
  fieldErrors: new Set(),
  yamlError: null,
  tab: 'step',
  zoom: 1,
};

function t(key, vars = {}) {
  const pair = TEXT[key] ?? KIND_TEXT[key];
  if (!pair) return key;
  let s = pair[state.lang === 'zh' ? 0 : 1];
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}
/** a label: Chinese with an English subtitle in zh mode, English alone in en mode */
function bilingual(key, vars) {
  const pair = TEXT[key] ?? KIND_TEXT[key];
  if (!pair || state.lang === 'en') return h('span', {}, t(key, vars));
  let en = pair[1];
  for (const [k, v] of Object.entries(vars ?? {})) en = en.replaceAll(`{${k}}`, String(v));
  return h('span', {}, t(key, vars), h('small', { class: 'sub' }, en));
}
const kindName = (kind) => (KIND_TEXT[kind] ? KIND_TEXT[kind][state.lang === 'zh' ? 0 : 1] : String(kind));
const localized = (text) => (text && typeof text === 'object' ? text[state.lang] || text.zh || text.en || '' : typeof text === 'string' ? text : '');

// ---------------------------------------------------------------- tiny DOM helper
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
const $ = (id) => document.getElementById(id);
const debounce = (fn, ms) => {
  let timer;
  const d = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  d.flush = (...args) => {
    clearTimeout(timer);
    fn(...args);
  };
  return d;
};
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
/** JSON with sorted keys: equal documents give equal strings whatever their key order */
function stable(v) {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

// ---------------------------------------------------------------- API
async function api(method, url, body, headers = {}) {
  const res = await fetch(url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    /* no body */
  }
  if (!res.ok) {
    const err = new Error(data?.message || `HTTP ${res.status}`);
    err.status = res.status;
    err.data = data;
    throw err;
  }
  return data;
}

// ---------------------------------------------------------------- documents
const DOC_KEYS = ['type', 'name', 'version', 'appliesTo', 'start', 'policy', 'steps'];
const COMMON_KEYS = ['kind', 'name', 'owner', 'sla', 'onBreach'];
const KIND_KEYS = {
  action: ['action', 'input', 'output', 'next', 'onError'],
  human_task: ['group', 'task', 'decisions', 'data', 'distinctFrom', 'output', 'next'],
  wait_signal: ['signal', 'timeout', 'output', 'next', 'onTimeout'],
  decision: ['branches', 'otherwise'],
  notify: ['to', 'message', 'channels', 'next'],
  escalate: ['to', 'level', 'reason', 'next'],
  close: ['resolution', 'data'],
};
function ordered(obj, keys) {
  if (!isObj(obj)) return obj;
  const out = {};
  for (const k of keys) if (k in obj) out[k] = obj[k];
  for (const k of Object.keys(obj)) if (!(k in out)) out[k] = obj[k];
  return out;
}
const orderedText = (v) => ordered(v, ['zh', 'en']);

/** the transitions of a step, in the order an author reads them */
function transitions(step) {
  const out = [];
  if (!isObj(step)) return out;
  const push = (to, label, style = 'solid') => typeof to === 'string' && to !== '' && out.push({ to, label, style });
  switch (step.kind) {
    case 'action':
      push(step.next, '');
      push(step.onError, t('edgeError'), 'dashed');
      break;
    case 'human_task':
      if (isObj(step.next)) for (const [decision, to] of Object.entries(step.next)) push(to, decision);
      else push(step.next, Array.isArray(step.decisions) ? step.decisions.join(' / ') : '');
      break;
    case 'wait_signal':
      push(step.next, typeof step.signal === 'string' ? step.signal : '');
      push(step.onTimeout, t('edgeTimeout'), 'dashed');
      break;
    case 'decision':
      (Array.isArray(step.branches) ? step.branches : []).forEach((b, i) => push(b?.next, `${i + 1}. ${exprText(b?.when)}`));
      push(step.otherwise, t('edgeOtherwise'));
      break;
    default:
      push(step.next, '');
  }
  if (isObj(step.onBreach) && step.onBreach.action === 'continue') push(step.onBreach.next, t('edgeBreach'), 'dashed');
  return out;
}

/** the document with a readable key order and its steps in the order they run (the API stores JSONB, which reorders keys) */
function normalizeDoc(doc) {
  if (!isObj(doc)) return doc;
  const out = ordered(doc, DOC_KEYS);
  if (isObj(out.name)) out.name = orderedText(out.name);
  if (isObj(out.steps)) {
    const ids = Object.keys(out.steps);
    const seen = new Set();
    const queue = typeof out.start === 'string' && out.steps[out.start] ? [out.start] : [];
    const order = [];
    while (queue.length) {
      const id = queue.shift();
      if (seen.has(id) || !out.steps[id]) continue;
      seen.add(id);
      order.push(id);
      for (const tr of transitions(out.steps[id])) if (!seen.has(tr.to)) queue.push(tr.to);
    }
    for (const id of ids) if (!seen.has(id)) order.push(id);
    const steps = {};
    for (const id of order) {
      const s = out.steps[id];
      if (!isObj(s)) {
        steps[id] = s;
        continue;
      }
      const step = ordered(s, [...COMMON_KEYS, ...(KIND_KEYS[s.kind] ?? [])]);
      for (const k of ['name', 'task', 'message']) if (isObj(step[k])) step[k] = orderedText(step[k]);
      if (isObj(step.onBreach)) step.onBreach = ordered(step.onBreach, ['action', 'to', 'next']);
      if (Array.isArray(step.branches)) step.branches = step.branches.map((b) => ordered(b, ['when', 'next']));
      if (isObj(step.next) && Array.isArray(step.decisions)) step.next = ordered(step.next, step.decisions);
      steps[id] = step;
    }
    out.steps = steps;
  }
  return out;
}

/** a short human reading of a JSON Logic expression, for edge labels */
function exprText(e, depth = 0) {
  if (depth > 4) return '…';
  if (e === null || typeof e !== 'object') return JSON.stringify(e) ?? '';
  if (Array.isArray(e)) return `[${e.map((x) => exprText(x, depth + 1)).join(', ')}]`;
  const [op] = Object.keys(e);
  if (!op) return '{}';
  const args = Array.isArray(e[op]) ? e[op] : [e[op]];
  const a = args.map((x) => exprText(x, depth + 1));
  switch (op) {
    case 'var':
      return String(args[0] ?? '');
    case '!!':
      return a[0];
    case '!':
      return `not ${a[0]}`;
    case '==':
    case '===':
      return `${a[0]} = ${a[1]}`;
    case '!=':
    case '!==':
      return `${a[0]} ≠ ${a[1]}`;
    case '>=':
      return `${a[0]} ≥ ${a[1]}`;
    case '<=':
      return `${a[0]} ≤ ${a[1]}`;
    case '>':
    case '<':
      return `${a[0]} ${op} ${a[1]}`;
    case 'and':
      return a.join(' and ');
    case 'or':
      return a.join(' or ');
    case 'in':
      return `${a[0]} in ${a[1]}`;
    default:
      return `${op}(${a.join(', ')})`;
  }
}

function templateStep(kind, id) {
  const name = { zh: id, en: id };
  const groups = state.catalog.skillGroups;
  switch (kind) {
    case 'action': {
      const action = Object.keys(state.catalog.actions)[0] ?? 'fetchOrder';
      const input = {};
      for (const k of state.catalog.actions[action]?.inputs ?? []) input[k] = { var: '' };
      return { kind, name, owner: 'system', action, input, next: '' };
    }
    case 'human_task':
      return { kind, name, owner: groups[0] ?? 'general_group', sla: '4h', group: groups[0] ?? 'general_group', task: { zh: '', en: '' }, decisions: ['approve', 'reject'], next: '' };
    case 'wait_signal':
      return { kind, name, owner: 'user', signal: state.catalog.signals[0] ?? 'confirmation', timeout: '24h', next: '', onTimeout: '' };
    case 'decision':
      return { kind, name, owner: 'system', branches: [{ when: { '!!': { var: '' } }, next: '' }], otherwise: '' };
    case 'notify':
      return { kind, name, owner: 'system', to: 'user', message: { zh: '', en: '' }, next: '' };
    case 'escalate':
      return { kind, name, owner: 'system', to: 'supervisor_group', level: 1, reason: id, next: '' };
    case 'close':
    default:
      return { kind: 'close', name, owner: 'system', resolution: 'resolved' };
  }
}

/** changing a step's kind keeps what both kinds share */
function convertStep(step, kind, id) {
  const fresh = templateStep(kind, id);
  for (const k of ['name', 'owner']) if (step[k] !== undefined) fresh[k] = step[k];
  // sla bounds only actions and human tasks, onBreach only human tasks: the validator refuses them elsewhere
  if (step.sla !== undefined && (kind === 'action' || kind === 'human_task')) fresh.sla = step.sla;
  if (step.onBreach !== undefined && kind === 'human_task') fresh.onBreach = step.onBreach;
  if ('next' in fresh && typeof step.next === 'string') fresh.next = step.next;
  if ('output' in step && ['action', 'human_task', 'wait_signal'].includes(kind)) fresh.output = step.output;
  return ordered(fresh, [...COMMON_KEYS, ...(KIND_KEYS[kind] ?? [])]);
}

/** rename a step and every reference to it */
function renameStep(doc, from, to) {
  const steps = {};
  for (const [id, s] of Object.entries(doc.steps)) steps[id === from ? to : id] = s;
  doc.steps = steps;
  if (doc.start === from) doc.start = to;
  const fix = (v) => (v === from ? to : v);
  for (const s of Object.values(steps)) {
    if (!isObj(s)) continue;
    for (const k of ['next', 'onError', 'onTimeout', 'otherwise']) if (typeof s[k] === 'string') s[k] = fix(s[k]);
    if (isObj(s.next)) for (const d of Object.keys(s.next)) s.next[d] = fix(s.next[d]);
    if (Array.isArray(s.branches)) for (const b of s.branches) if (isObj(b)) b.next = fix(b.next);
    if (isObj(s.onBreach) && typeof s.onBreach.next === 'string') s.onBreach.next = fix(s.onBreach.next);
  }
}

// ---------------------------------------------------------------- diff
/** leaves of a step or document: expressions (when, input and data values) stay whole */
function flatten(value, prefix, out, keyName = '') {
  const whole = keyName === 'when' || /(^|\.)(input|data)\.[^.]+$/.test(prefix);
  if (!whole && isObj(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out, k);
  } else if (!whole && Array.isArray(value) && value.length && value.some((x) => isObj(x) || Array.isArray(x))) {
    value.forEach((v, i) => flatten(v, `${prefix}.${i}`, out, String(i)));
  } else {
    out.set(prefix, value);
  }
  return out;
}
const show = (v) => (v === undefined ? '∅' : typeof v === 'string' ? v : JSON.stringify(v));

function diffDocs(base, draft) {
  const result = { doc: [], added: [], removed: [], changed: [], count: 0 };
  if (!isObj(base) || !isObj(draft)) return result;
  const fieldDiff = (a, b) => {
    const fa = flatten(a, '', new Map());
    const fb = flatten(b, '', new Map());
    const fields = [];
    for (const k of new Set([...fa.keys(), ...fb.keys()])) {
      if (stable(fa.get(k)) !== stable(fb.get(k))) fields.push({ path: k, before: fa.get(k), after: fb.get(k) });
    }
    return fields;
  };
  const { steps: _sa, version: _va, ...docA } = base;
  const { steps: _sb, version: _vb, ...docB } = draft;
  result.doc = fieldDiff(docA, docB);
  const sa = isObj(base.steps) ? base.steps : {};
  const sb = isObj(draft.steps) ? draft.steps : {};
  for (const id of Object.keys(sb)) if (!(id in sa)) result.added.push(id);
  for (const id of Object.keys(sa)) if (!(id in sb)) result.removed.push(id);
  for (const id of Object.keys(sb)) {
    if (!(id in sa) || stable(sa[id]) === stable(sb[id])) continue;
    result.changed.push({ id, fields: fieldDiff(sa[id], sb[id]) });
  }
  result.count = result.doc.length + result.added.length + result.removed.length + result.changed.length;
  return result;
}

// ---------------------------------------------------------------- diagram
mermaid.initialize({
  startOnLoad: false,
  securityLevel: 'strict',
  theme: 'base',
  themeVariables: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif',
    fontSize: '14px',
    lineColor: '#8a94a6',
    primaryColor: '#eef4ff',
    primaryBorderColor: '#3b6fd8',
    primaryTextColor: '#1d2433',
    edgeLabelBackground: '#ffffff',
  },
  flowchart: { htmlLabels: true, curve: 'basis', useMaxWidth: false, nodeSpacing: 28, rankSpacing: 40, padding: 8, wrappingWidth: 160 },
});

const SHAPES = {
  action: ['[', ']'],
  human_task: ['(', ')'],
  wait_signal: ['([', '])'],
  decision: ['{', '}'],
  notify: ['[/', '/]'],
  escalate: ['{{', '}}'],
  close: ['[[', ']]'],
};
/** text inside a quoted mermaid label */
const esc = (s) => String(s).replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\n/g, ' ');
const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

let nodeMap = new Map(); // mermaid node id → { step } | { missing }

function buildMermaid(doc) {
  const lines = ['flowchart TD'];
  const steps = isObj(doc?.steps) ? doc.steps : {};
  const ids = Object.keys(steps);
  const nid = new Map(ids.map((id, i) => [id, `s${i}`]));
  const missing = new Map();
  nodeMap = new Map();
  const target = (to) => {
    if (nid.has(to)) return nid.get(to);
    if (!missing.has(to)) missing.set(to, `m${missing.size}`);
    return missing.get(to);
  };
  lines.push(`  START(["▶ ${esc(t('start'))}"]):::start`);
  nodeMap.set('START', { start: true });
  const classes = {};
  for (const id of ids) {
    const s = steps[id];
    const kind = isObj(s) && SHAPES[s.kind] ? s.kind : 'action';
    const [open, close] = SHAPES[kind];
    const title = clip(localized(s?.name) || id, kind === 'decision' ? 22 : 40);
    const label = `<b>${esc(title)}</b><br/><span class='sid'>${esc(id)}</span>`;
    lines.push(`  ${nid.get(id)}${open}"${label}"${close}`);
    (classes[kind] ??= []).push(nid.get(id));
    nodeMap.set(nid.get(id), { step: id });
  }
  const edges = new Map();
  const addEdge = (from, to, label, style) => {
    const key = `${from}>${to}>${style}`;
    const e = edges.get(key);
    if (e) {
      if (label && !e.labels.includes(label)) e.labels.push(label);
    } else edges.set(key, { from, to, style, labels: label ? [label] : [] });
  };
  if (typeof doc?.start === 'string' && doc.start) addEdge('START', target(doc.start), '', 'solid');
  for (const id of ids) for (const tr of transitions(steps[id])) addEdge(nid.get(id), target(tr.to), tr.label, tr.style);
  for (const [to, m] of missing) {
    lines.push(`  ${m}["⚠ ${esc(to)}<br/><span class='sid'>${esc(t('missingStep'))}</span>"]:::missing`);
    nodeMap.set(m, { missing: to });
  }
  for (const e of edges.values()) {
    const label = e.labels.length ? `|"${esc(clip(e.labels.join(' / '), 28))}"|` : '';
    lines.push(`  ${e.from} ${e.style === 'dashed' ? '-.->' : '-->'}${label} ${e.to}`);
  }
  lines.push(
    '  classDef action fill:#eef4ff,stroke:#3b6fd8,color:#10244a',
    '  classDef human_task fill:#fff6e0,stroke:#d08c00,color:#4a3200',
    '  classDef wait_signal fill:#f3edff,stroke:#7a4fd0,color:#2e1a5c',
    '  classDef decision fill:#e6f7f4,stroke:#12998a,color:#0b3b35',
    '  classDef notify fill:#eaf5ff,stroke:#2a88cf,color:#0f3350',
    '  classDef escalate fill:#ffe8de,stroke:#e0531f,color:#6b1d00,stroke-width:2px',
    '  classDef close fill:#e3f6e8,stroke:#23934a,color:#0c3d1c,stroke-width:2px',
    '  classDef missing fill:#ffffff,stroke:#d92d20,color:#b42318,stroke-dasharray:5 4,stroke-width:2px',
    '  classDef start fill:#1d2433,stroke:#1d2433,color:#ffffff',
  );
  for (const [kind, list] of Object.entries(classes)) lines.push(`  class ${list.join(',')} ${kind}`);
  return lines.join('\n');
}

let renderSeq = 0;
async function renderDiagram() {
  const box = $('diagram');
  if (!state.draft) return;
  const seq = ++renderSeq;
  const text = buildMermaid(state.draft);
  const map = nodeMap;
  const id = `sopgraph${seq}`;
  try {
    const { svg } = await mermaid.render(id, text);
    if (seq !== renderSeq) return;
    const scroll = [box.scrollLeft, box.scrollTop];
    box.innerHTML = svg;
    [box.scrollLeft, box.scrollTop] = scroll;
    $('diagram-error').hidden = true;
    decorateDiagram(map);
    if (state.firstRender) {
      state.firstRender = false;
      // a freshly opened SOP: as large as still readable, the start at the top centre
      const svgEl = box.querySelector('svg');
      const w = Number(svgEl?.dataset.width ?? 0);
      state.zoom = w ? Math.max(0.65, Math.min(1, (box.clientWidth - 24) / w)) : 1;
      applyZoom();
      const startNode = box.querySelector('g.node.start, g.node[id*="-START-"]');
      if (startNode) {
        const r = startNode.getBoundingClientRect();
        const b = box.getBoundingClientRect();
        box.scrollLeft += r.left + r.width / 2 - (b.left + b.width / 2);
        box.scrollTop = 0;
      }
    }
  } catch (err) {
    document.getElementById(`d${id}`)?.remove();
    document.getElementById(id)?.remove();
    if (seq !== renderSeq) return;
    $('diagram-error').hidden = false;
    $('diagram-error').textContent = t('diagramFailed') + (err?.message ?? String(err));
  }
}
const scheduleDiagram = debounce(renderDiagram, 120);

function decorateDiagram(map = nodeMap) {
  const svg = $('diagram').querySelector('svg');
  if (!svg) return;
  svg.removeAttribute('style');
  const vb = svg.viewBox?.baseVal;
  if (vb && vb.width) {
    svg.dataset.width = String(vb.width);
    svg.dataset.height = String(vb.height);
  }
  applyZoom();
  for (const g of svg.querySelectorAll('g.node')) {
    const m = /flowchart-(START|s\d+|m\d+)-\d+$/.exec(g.id);
    const info = m && map.get(m[1]);
    if (!info) continue;
    if (info.step) {
      g.dataset.step = info.step;
      g.setAttribute('data-testid', `node-${info.step}`);
      g.classList.add('clickable');
      g.addEventListener('click', () => selectStep(info.step, { scroll: false }));
    } else if (info.missing) {
      g.dataset.missing = info.missing;
      g.setAttribute('data-testid', `missing-${info.missing}`);
    }
  }
  markDiagram();
}

function markDiagram() {
  const svg = $('diagram').querySelector('svg');
  if (!svg) return;
  const bad = new Set(state.errors.map((e) => e.step).filter(Boolean));
  const changed = new Set();
  if (state.published && state.draft) {
    const d = diffDocs(state.published, state.draft);
    for (const id of d.added) changed.add(id);
    for (const c of d.changed) changed.add(c.id);
  }
  for (const g of svg.querySelectorAll('g.node[data-step]')) {
    const id = g.dataset.step;
    const mode = { error: bad.has(id), selected: id === state.selected, changed: changed.has(id) };
    g.classList.toggle('node-error', mode.error);
    g.classList.toggle('node-selected', mode.selected);
    g.classList.toggle('node-changed', mode.changed);
    g.dataset.error = mode.error ? 'true' : 'false';
    paintNode(g, mode);
  }
}

/** mermaid writes each shape's colours as inline `!important` styles: states are painted the same way, after them */
function paintNode(g, { error, selected, changed }) {
  const shapes = [];
  for (const c of g.children) {
    if (c.classList.contains('label')) continue;
    if (c.tagName.toLowerCase() === 'g') shapes.push(...c.querySelectorAll('path, rect, polygon, circle, ellipse'));
    else shapes.push(c);
  }
  for (const el of shapes) {
    if (el.dataset.baseStyle === undefined) el.dataset.baseStyle = el.getAttribute('style') ?? '';
    let style = el.dataset.baseStyle;
    if (changed && !error) style += ';stroke-dasharray:7 3 !important;stroke-width:2.5px !important';
    if (error) style += ';fill:#fee4e2 !important;stroke:#d92d20 !important;stroke-width:3px !important;stroke-dasharray:none !important';
    if (selected) style += `;stroke:${error ? '#d92d20' : '#2f6fe4'} !important;stroke-width:4px !important`;
    el.setAttribute('style', style);
  }
}

function applyZoom() {
  const svg = $('diagram').querySelector('svg');
  if (!svg || !svg.dataset.width) return;
  const w = Number(svg.dataset.width);
  const hgt = Number(svg.dataset.height);
  let z = state.zoom;
  if (z === 'fit') {
    const box = $('diagram');
    z = Math.min(1, (box.clientWidth - 24) / w, (box.clientHeight - 24) / hgt);
  }
  svg.setAttribute('width', String(Math.round(w * z)));
  svg.setAttribute('height', String(Math.round(hgt * z)));
}

function renderLegend() {
  const box = $('legend');
  box.replaceChildren(
    ...STEP_KINDS.map((k) => h('span', { class: `legend-item legend-${k}`, title: k }, h('i', {}), kindName(k))),
  );
}

// ---------------------------------------------------------------- change pipeline
function changed({ form = false, yaml = true, diagram = true, local = true } = {}) {
  if (local) hasLocalEdits = true;
  if (diagram) scheduleDiagram();
  scheduleValidate();
  if (yaml) {
    clearYamlError();
    syncYaml();
  }
  renderDiff();
  renderStepPicker();
  if (form) renderForms();
  saveDraftLocally();
  updateHeader();
}

const saveDraftLocally = debounce(() => {
  if (!state.type || !state.draft || !hasLocalEdits) return;
  const key = `ticketflow.designer.draft.${state.type}`;
  if (state.published && stable(state.published) === stable(state.draft)) localStorage.removeItem(key);
  else localStorage.setItem(key, JSON.stringify({ baseVersion: state.loadedVersion, savedAt: new Date().toISOString(), document: state.draft }));
}, 300);

// ---------------------------------------------------------------- validation
let validateSeq = 0;
async function validateNow() {
  if (!state.draft) return;
  const seq = ++validateSeq;
  document.body.dataset.validating = 'true';
  state.validity = 'checking';
  renderValidity();
  try {
    if (!isObj(state.draft)) throw Object.assign(new Error(t('yamlNotObject')), { local: true });
    const result = await api('POST', '/v1/sops/validate', { document: state.draft });
    if (seq !== validateSeq) return;
    state.errors = sortErrors(result.errors ?? []);
    state.validity = result.valid ? 'valid' : 'invalid';
    state.validationFailure = '';
  } catch (err) {
    if (seq !== validateSeq) return;
    state.validity = 'error';
    state.errors = [];
    state.validationFailure = err.message;
  }
  document.body.dataset.validating = 'false';
  renderValidation();
}
const debouncedValidate = debounce(validateNow, 350);
/** body[data-validating] tells tests (and styles) that the shown result is not yet the current draft's */
function scheduleValidate() {
  document.body.dataset.validating = 'true';
  debouncedValidate();
}

/** field errors first, then whole-step errors (e.g. unreachable), then document errors */
function sortErrors(errors) {
  const rank = (e) => (e.step && e.path.split('.').length > 2 ? 0 : e.step ? 1 : 2);
  return errors.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i).map((x) => x.e);
}

function renderValidity() {
  const el = $('validity');
  el.className = 'badge';
  el.dataset.state = state.validity;
  if (state.validity === 'valid') {
    el.classList.add('badge-ok');
    el.textContent = t('valid');
  } else if (state.validity === 'invalid') {
    el.classList.add('badge-bad');
    el.textContent = t('invalid', { n: state.errors.length });
  } else if (state.validity === 'checking') {
    el.classList.add('badge-muted');
    el.textContent = t('checking');
  } else if (state.validity === 'error') {
    el.classList.add('badge-bad');
    el.textContent = t('validationDown');
  } else {
    el.classList.add('badge-muted');
    el.textContent = '—';
  }
  updatePublishButton();
}

function updatePublishButton() {
  const ok = state.validity === 'valid' && !state.yamlError && state.fieldErrors.size === 0 && Boolean(state.type);
  $('publish-button').disabled = !ok;
}

function renderValidation() {
  renderValidity();
  const list = $('validation-errors');
  const count = $('problem-count');
  if (state.validity === 'error') {
    count.textContent = '';
    list.replaceChildren(h('li', { class: 'problem problem-doc' }, t('validationDown'), ': ', state.validationFailure));
  } else if (!state.errors.length) {
    count.textContent = '';
    list.replaceChildren(state.validity === 'valid' ? h('li', { class: 'ok' }, t('noProblems')) : '');
  } else {
    count.textContent = String(state.errors.length);
    list.replaceChildren(
      ...state.errors.map((e) =>
        h(
          'li',
          {
            class: `problem${e.step ? '' : ' problem-doc'}${e.step && e.step === state.selected ? ' current' : ''}`,
            'data-testid': 'validation-error',
            dataset: { step: e.step ?? '', path: e.path },
            onclick: () => (e.step && state.draft?.steps?.[e.step] ? selectStep(e.step, { scroll: true }) : showTab(e.path.startsWith('steps') ? 'yaml' : 'doc')),
          },
          e.step ? h('span', { class: 'problem-step' }, e.step) : h('span', { class: 'problem-step doc' }, e.path || '—'),
          h('span', { class: 'problem-msg' }, e.message),
          e.step ? h('span', { class: 'problem-path' }, e.path) : '',
        ),
      ),
    );
  }
  markDiagram();
  markFieldErrors();
}

/** red inputs in the forms where an error's path points */
function markFieldErrors() {
  for (const el of document.querySelectorAll('[data-path]')) {
    if (el.closest('#validation-errors')) continue;
    const p = el.dataset.path;
    const mine = state.errors.filter((e) => e.path === p || e.path.startsWith(`${p}.`));
    const wrap = el.closest('.field') ?? el.parentElement;
    el.classList.toggle('invalid', mine.length > 0);
    let msg = wrap?.querySelector(':scope > .server-error');
    if (mine.length && wrap) {
      if (!msg) {
        msg = h('div', { class: 'field-error server-error', 'data-testid': 'field-error' });
        wrap.append(msg);
      }
      msg.textContent = mine.map((e) => e.message).join(' · ');
    } else msg?.remove();
  }
  const box = $('step-errors');
  if (box) {
    const mine = state.errors.filter((e) => e.step === state.selected);
    box.hidden = mine.length === 0;
    box.replaceChildren(h('strong', {}, t('stepErrors')), h('ul', {}, ...mine.map((e) => h('li', {}, e.message))));
  }
}

// ---------------------------------------------------------------- header, lists
function updateHeader() {
  const title = $('doc-title');
  if (!state.draft) {
    title.replaceChildren();
    return;
  }
  const name = state.draft.name ?? {};
  title.replaceChildren(
    h('span', { class: 'doc-name' }, localized(name) || state.type),
    h('span', { class: 'doc-type' }, state.type),
    state.loadedVersion ? h('span', { class: 'doc-version', 'data-testid': 'loaded-version' }, t('basedOn', { v: state.loadedVersion })) : '',
  );
  const n = state.published ? diffDocs(state.published, state.draft).count : 0;
  const dirty = $('dirty');
  dirty.hidden = n === 0;
  dirty.textContent = t('changes', { n });
}

function renderSopList() {
  const list = $('sop-list');
  list.replaceChildren(
    ...state.sops.map((s) =>
      h(
        'li',
        { class: `sop-item${s.type === state.type ? ' active' : ''}`, 'data-testid': `sop-item-${s.type}`, dataset: { type: s.type }, onclick: () => openSop(s.type) },
        h('div', { class: 'sop-name' }, localized(s.name) || s.type),
        h('div', { class: 'sop-meta' }, h('code', {}, s.type), h('span', { class: 'pill' }, `v${s.latestVersion}`)),
        state.lang === 'zh' && s.name?.en ? h('div', { class: 'sop-sub' }, s.name.en) : '',
      ),
    ),
  );
}

function renderVersions() {
  $('versions-box').hidden = !state.type;
  const latest = state.versions[0]?.version;
  $('version-list').replaceChildren(
    ...state.versions.map((v) =>
      h(
        'li',
        {
          class: `version-item${v.version === state.loadedVersion ? ' active' : ''}`,
          'data-testid': `version-item-${v.version}`,
          dataset: { version: String(v.version) },
          onclick: () => openVersion(v.version),
        },
        h('span', { class: 'version-no' }, `v${v.version}`),
        v.version === latest ? h('span', { class: 'pill pill-ok' }, t('latest')) : '',
        v.version === state.loadedVersion ? h('span', { class: 'pill' }, t('editing')) : '',
        h('div', { class: 'version-meta' }, formatTime(v.publishedAt), ' · ', v.publishedBy ?? ''),
      ),
    ),
  );
}
const formatTime = (iso) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso ?? '') : d.toLocaleString(state.lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
};

async function loadSops() {
  try {
    state.sops = await api('GET', '/v1/sops');
  } catch (err) {
    $('sop-list').replaceChildren(h('li', { class: 'field-error' }, t('loadFailed'), err.message));
    return;
  }
  renderSopList();
}

async function loadVersions(type) {
  state.versions = await api('GET', `/v1/sops/${encodeURIComponent(type)}/versions`);
  renderVersions();
}

/** true once the user edited the loaded document (then it is kept in localStorage until published or discarded) */
let hasLocalEdits = false;

async function openSop(type, { version = null, restore = true } = {}) {
  if (type !== state.type && hasLocalEdits && state.draft) saveDraftLocally.flush();
  try {
    const [latest] = await Promise.all([api('GET', `/v1/sops/${encodeURIComponent(type)}/versions/latest`), loadVersionsFor(type)]);
    state.type = type;
    state.published = normalizeDoc(latest.document);
    state.publishedVersion = latest.version;
    let doc = state.published;
    let loaded = latest.version;
    if (version && version !== latest.version) {
      const row = await api('GET', `/v1/sops/${encodeURIComponent(type)}/versions/${version}`);
      doc = normalizeDoc(row.document);
      loaded = row.version;
    }
    let restored = false;
    const saved = restore && !version ? readLocalDraft(type) : null;
    if (saved) {
      doc = saved.document;
      loaded = saved.baseVersion ?? latest.version;
      restored = true;
    }
    state.draft = clone(doc);
    state.loadedVersion = loaded;
    hasLocalEdits = restored;
    state.selected = state.draft?.start && state.draft.steps?.[state.draft.start] ? state.draft.start : Object.keys(state.draft?.steps ?? {})[0] ?? null;
    state.errors = [];
    clearYamlError();
    state.fieldErrors.clear();
    state.firstRender = true;
    history.replaceState(null, '', `#${type}${version ? `@${version}` : ''}`);
    renderSopList();
    renderVersions();
    $('diagram').replaceChildren();
    changed({ form: true, local: false });
    debouncedValidate.flush();
    if (restored) toast(t('restored'));
  } catch (err) {
    toast(t('loadFailed') + err.message, 'bad');
  }
}
async function loadVersionsFor(type) {
  state.versions = await api('GET', `/v1/sops/${encodeURIComponent(type)}/versions`);
}
function readLocalDraft(type) {
  try {
    const saved = JSON.parse(localStorage.getItem(`ticketflow.designer.draft.${type}`) ?? 'null');
    return saved && isObj(saved.document) ? saved : null;
  } catch {
    return null;
  }
}
async function openVersion(version) {
  if (hasLocalEdits && state.published && stable(state.draft) !== stable(state.published) && !window.confirm(t('confirmDiscard'))) return;
  localStorage.removeItem(`ticketflow.designer.draft.${state.type}`);
  hasLocalEdits = false;
  await openSop(state.type, { version, restore: false });
}

// ---------------------------------------------------------------- selection, tabs
function selectStep(id, { scroll = false } = {}) {
  if (id !== state.selected) $('panel-step').scrollTop = 0;
  state.selected = id;
  if (state.tab !== 'step') showTab('step');
  renderStepForm();
  renderStepPicker();
  markDiagram();
  for (const li of document.querySelectorAll('#validation-errors .problem')) li.classList.toggle('current', li.dataset.step === id);
  if (scroll) {
    const node = $('diagram').querySelector(`g.node[data-step="${CSS.escape(id)}"]`);
    node?.scrollIntoView({ block: 'center', inline: 'center', behavior: 'smooth' });
  }
}

function showTab(tab) {
  state.tab = tab;
  for (const b of document.querySelectorAll('.tab')) b.classList.toggle('active', b.dataset.tab === tab);
  for (const p of ['step', 'doc', 'yaml', 'diff']) $(`panel-${p}`).hidden = p !== tab;
  if (tab === 'yaml') syncYaml(true);
  if (tab === 'diff') renderDiff();
  if (tab === 'doc') renderDocForm();
}

function renderStepPicker() {
  const picker = $('step-picker');
  $('step-tools').hidden = !state.draft;
  if (!state.draft) return;
  const ids = Object.keys(state.draft.steps ?? {});
  picker.replaceChildren(
    ...ids.map((id) => h('option', { value: id, selected: id === state.selected }, `${id} — ${localized(state.draft.steps[id]?.name)}`)),
  );
  if (state.selected) picker.value = state.selected;
  // suggestions for every "go to" field
  let list = $('step-ids');
  if (!list) {
    list = h('datalist', { id: 'step-ids' });
    document.body.append(list);
  }
  list.replaceChildren(...ids.map((id) => h('option', { value: id }, localized(state.draft.steps[id]?.name))));
}

// ---------------------------------------------------------------- forms
function field(labelKey, input, { hint, path, wide } = {}) {
  if (path) input.dataset.path = path;
  return h('label', { class: `field${wide ? ' wide' : ''}` }, bilingual(labelKey), input, hint ? h('div', { class: 'hint' }, hint) : '');
}
function textInput(value, onInput, attrs = {}) {
  return h('input', { type: 'text', value: value ?? '', spellcheck: 'false', ...attrs, oninput: (e) => onInput(e.target.value) });
}
function textArea(value, onInput, attrs = {}) {
  return h('textarea', { rows: 3, ...attrs, oninput: (e) => onInput(e.target.value) }, value ?? '');
}
function selectInput(value, options, onChange, attrs = {}) {
  const opts = options.map((o) => (typeof o === 'string' ? { value: o, label: o } : o));
  if (value !== undefined && value !== '' && !opts.some((o) => o.value === value)) opts.unshift({ value, label: `${value} (?)` });
  return h('select', { ...attrs, onchange: (e) => onChange(e.target.value) }, ...opts.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));
}
/** a JSON editor: commits only parseable JSON, shows the parse error otherwise */
function jsonInput(value, onValue, key, attrs = {}) {
  const err = h('div', { class: 'field-error json-error', hidden: true });
  const text = prettyJson(value);
  const lines = text.split('\n').length;
  const ta = h('textarea', { class: 'code', spellcheck: 'false', ...attrs, rows: Math.max(attrs.rows ?? 2, Math.min(lines + 1, 12)) }, text);
  ta.addEventListener('input', () => {
    const text = ta.value.trim();
    try {
      const parsed = text === '' ? undefined : JSON.parse(text);
      err.hidden = true;
      ta.classList.remove('invalid-json');
      state.fieldErrors.delete(key);
      onValue(parsed);
    } catch (e) {
      err.hidden = false;
      err.textContent = t('badJson') + e.message;
      ta.classList.add('invalid-json');
      state.fieldErrors.add(key);
      updatePublishButton();
    }
  });
  return h('div', { class: 'json-wrap' }, ta, err);
}
/** one line per key of an object (inputs, resolution data), each value compact: readable and short */
function prettyJson(value) {
  if (value === undefined) return '';
  const compact = (v) => JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ');
  if (!isObj(value) || !Object.keys(value).length) return compact(value);
  const op = Object.keys(value).length === 1 && /^[^A-Za-z]|^(and|or|var|in|cat|if|some|all|none|missing)$/.test(Object.keys(value)[0]);
  if (op) return compact(value); // a JSON Logic expression, e.g. a branch condition
  return `{\n${Object.entries(value).map(([k, v]) => `  ${JSON.stringify(k)}: ${compact(v)}`).join(',\n')}\n}`;
}
/** a "go to step" field: free text with the step ids as suggestions */
function stepRef(value, onInput, attrs = {}) {
  return textInput(value, onInput, { list: 'step-ids', class: 'step-ref', placeholder: '—', ...attrs });
}
const groupsList = () => ['system', 'user', ...state.catalog.skillGroups];
function ensureDatalist(id, values) {
  let list = $(id);
  if (!list) {
    list = h('datalist', { id });
    document.body.append(list);
  }
  list.replaceChildren(...values.map((v) => h('option', { value: v })));
}

function renderForms() {
  renderStepForm();
  if (state.tab === 'doc') renderDocForm();
}

function renderStepForm() {
  const form = $('step-form');
  state.fieldErrors = new Set([...state.fieldErrors].filter((k) => !k.startsWith('step:')));
  const id = state.selected;
  const step = id ? state.draft?.steps?.[id] : null;
  if (!state.draft || !id || !isObj(step)) {
    form.replaceChildren(h('p', { class: 'muted' }, t('selectStepHint')));
    return;
  }
  ensureDatalist('owner-list', groupsList());
  ensureDatalist('group-list', state.catalog.skillGroups);
  ensureDatalist('duration-list', ['30s', '5m', '15m', '1h', '4h', '24h', '2d', ...Object.keys(state.draft.policy ?? {}).map((k) => `$${k}`)]);
  const base = `steps.${id}`;
  const set = (key, value, { rerender = false, optional = false } = {}) => {
    if (optional && (value === '' || value === undefined)) delete step[key];
    else step[key] = value;
    changed({ form: rerender });
  };
  const setText = (key, lang, value) => {
    step[key] = isObj(step[key]) ? step[key] : { zh: '', en: '' };
    step[key][lang] = value;
    changed({ form: false });
  };

  // header: id, kind, rename / remove / start
  const renameBox = textInput(id, () => {}, { 'data-testid': 'field-id', class: 'mono' });
  const renameError = h('div', { class: 'field-error', 'data-testid': 'rename-error' });
  const doRename = () => {
    const to = renameBox.value.trim();
    if (to === id) return;
    if (!IDENT.test(to)) return void (renameError.textContent = t('badId'));
    if (state.draft.steps[to]) return void (renameError.textContent = t('idTaken'));
    renameStep(state.draft, id, to);
    state.selected = to;
    changed({ form: true });
  };
  renameBox.addEventListener('keydown', (e) => e.key === 'Enter' && doRename());
  let armed = false;
  const removeBtn = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-testid': 'remove-step' }, t('remove'));
  removeBtn.addEventListener('click', () => {
    if (!armed) {
      armed = true;
      removeBtn.textContent = t('reallyRemove');
      setTimeout(() => {
        armed = false;
        removeBtn.textContent = t('remove');
      }, 4000);
      return;
    }
    delete state.draft.steps[id];
    state.selected = state.draft.start && state.draft.steps[state.draft.start] ? state.draft.start : Object.keys(state.draft.steps)[0] ?? null;
    changed({ form: true });
  });

  const kind = step.kind;
  const header = h(
    'div',
    { class: 'step-head' },
    h('div', { class: `kind-chip kind-${kind}`, 'data-testid': 'step-kind-chip' }, kindName(kind)),
    state.draft.start === id ? h('span', { class: 'pill pill-ok' }, t('isStart')) : '',
    h('div', { class: 'row end' }, field('id', renameBox), h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'rename-step', onclick: doRename }, t('rename'))),
    renameError,
    h(
      'div',
      { class: 'row' },
      field('kind', selectInput(kind, STEP_KINDS.map((k) => ({ value: k, label: `${kindName(k)} · ${k}` })), (v) => {
        state.draft.steps[id] = convertStep(step, v, id);
        changed({ form: true });
      }, { 'data-testid': 'field-kind' }), { path: `${base}.kind` }),
    ),
    h(
      'div',
      { class: 'row actions' },
      state.draft.start !== id ? h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'set-start', onclick: () => { state.draft.start = id; changed({ form: true }); } }, t('setStart')) : '',
      removeBtn,
    ),
    h('div', { id: 'step-errors', class: 'step-errors', 'data-testid': 'step-errors', hidden: true }),
  );

  const common = [
    h(
      'div',
      { class: 'row two' },
      field('nameZh', textInput(step.name?.zh, (v) => setText('name', 'zh', v), { 'data-testid': 'field-name-zh' }), { path: `${base}.name.zh` }),
      field('nameEn', textInput(step.name?.en, (v) => setText('name', 'en', v), { 'data-testid': 'field-name-en' }), { path: `${base}.name.en` }),
    ),
    h(
      'div',
      { class: 'row two' },
      field('owner', textInput(step.owner, (v) => set('owner', v), { list: 'owner-list', 'data-testid': 'field-owner' }), { path: `${base}.owner`, hint: t('ownerHint') }),
      field('sla', textInput(step.sla, (v) => set('sla', v, { optional: true }), { list: 'duration-list', 'data-testid': 'field-sla', class: 'mono' }), { path: `${base}.sla`, hint: t('durationHint') }),
    ),
  ];

  const specific = kindFields(step, id, base, set, setText);

  // SLA breach
  const breach = isObj(step.onBreach) ? step.onBreach : null;
  const breachRows = [
    field('onBreach', selectInput(breach?.action ?? '', [
      { value: '', label: t('breachNone') },
      { value: 'escalate', label: `${t('breachEscalate')} (escalate)` },
      { value: 'notify', label: `${t('breachNotify')} (notify)` },
      { value: 'continue', label: `${t('breachContinue')} (continue)` },
    ], (v) => {
      if (!v) delete step.onBreach;
      else step.onBreach = { ...(breach ?? {}), action: v };
      if (v !== 'continue' && step.onBreach) delete step.onBreach.next;
      changed({ form: true });
    }, { 'data-testid': 'field-breach-action' }), { path: `${base}.onBreach.action` }),
  ];
  if (breach && breach.action !== 'continue') {
    breachRows.push(field('breachTo', textInput(breach.to, (v) => { if (v) breach.to = v; else delete breach.to; changed(); }, { list: 'group-list', 'data-testid': 'field-breach-to', placeholder: 'supervisor_group' }), { path: `${base}.onBreach.to` }));
  }
  if (breach && breach.action === 'continue') {
    breachRows.push(field('breachNext', stepRef(breach.next, (v) => { breach.next = v; changed(); }, { 'data-testid': 'field-breach-next' }), { path: `${base}.onBreach.next` }));
  }

  form.replaceChildren(
    header,
    h('fieldset', {}, ...common),
    h('fieldset', {}, h('legend', {}, kindName(kind)), ...specific),
    h('fieldset', {}, h('div', { class: 'row two' }, ...breachRows)),
  );
  markFieldErrors();
}

function kindFields(step, id, base, set, setText) {
  const out = [];
  const refField = (labelKey, key, opts = {}) =>
    field(labelKey, stepRef(step[key], (v) => set(key, v, { optional: opts.optional }), { 'data-testid': `field-${key}` }), { path: `${base}.${key}`, hint: opts.hint });
  const outputField = () => field('output', textInput(step.output, (v) => set('output', v, { optional: true }), { 'data-testid': 'field-output', class: 'mono' }), { path: `${base}.output` });
  const textPair = (key, zhKey, enKey, rows = 3) =>
    h(
      'div',
      { class: 'row' },
      field(zhKey, textArea(step[key]?.zh, (v) => setText(key, 'zh', v), { rows, 'data-testid': `field-${key}-zh` }), { path: `${base}.${key}.zh`, wide: true }),
      field(enKey, textArea(step[key]?.en, (v) => setText(key, 'en', v), { rows, 'data-testid': `field-${key}-en` }), { path: `${base}.${key}.en`, wide: true }),
    );

  switch (step.kind) {
    case 'action': {
      const spec = state.catalog.actions[step.action];
      const actions = Object.keys(state.catalog.actions);
      out.push(
        field('action', selectInput(step.action ?? '', actions.map((a) => ({ value: a, label: a })), (v) => set('action', v, { rerender: true }), { 'data-testid': 'field-action' }), {
          path: `${base}.action`,
          hint: spec ? `${spec.description}. ${t('needs')}: ${spec.inputs.join(', ') || '—'}${spec.optionalInputs?.length ? `; ${t('optional')}: ${spec.optionalInputs.join(', ')}` : ''}. ${t('returns')}: ${spec.returns}` : '',
        }),
        field('input', jsonInput(step.input, (v) => set('input', v, { optional: true }), 'step:input', { 'data-testid': 'field-input', rows: 3 }), { path: `${base}.input` }),
        h('div', { class: 'row two' }, outputField(), refField('next', 'next')),
        refField('onError', 'onError', { optional: true, hint: t('onErrorHint') }),
      );
      break;
    }
    case 'human_task': {
      const decisions = Array.isArray(step.decisions) ? step.decisions : [];
      const perDecision = isObj(step.next);
      out.push(
        field('group', textInput(step.group, (v) => set('group', v), { list: 'group-list', 'data-testid': 'field-group' }), { path: `${base}.group` }),
        textPair('task', 'taskZh', 'taskEn', 3),
        field('decisions', textInput(decisions.join(', '), () => {}, {
          'data-testid': 'field-decisions',
          onchange: (e) => {
            const list = e.target.value.split(/[,,\s]+/).map((s) => s.trim()).filter(Boolean);
            step.decisions = list;
            if (isObj(step.next)) step.next = Object.fromEntries(list.map((d) => [d, step.next[d] ?? '']));
            changed({ form: true });
          },
        }), { path: `${base}.decisions` }),
        outputField(),
        h('label', { class: 'check' }, h('input', {
          type: 'checkbox', checked: perDecision, 'data-testid': 'field-per-decision',
          onchange: (e) => {
            if (e.target.checked) step.next = Object.fromEntries(decisions.map((d) => [d, typeof step.next === 'string' ? step.next : '']));
            else step.next = isObj(step.next) ? Object.values(step.next)[0] ?? '' : '';
            changed({ form: true });
          },
        }), ' ', t('perDecision')),
      );
      if (perDecision) {
        out.push(h('div', { class: 'row two' }, ...decisions.map((d) =>
          h('label', { class: 'field' }, h('span', {}, `${t('next')}: `, h('b', {}, d)), (() => {
            const inp = stepRef(step.next[d], (v) => { step.next[d] = v; changed(); }, { 'data-testid': `field-next-${d}` });
            inp.dataset.path = `${base}.next.${d}`;
            return inp;
          })()),
        )));
      } else out.push(refField('next', 'next'));
      break;
    }
    case 'wait_signal':
      out.push(
        h(
          'div',
          { class: 'row two' },
          field('signal', selectInput(step.signal ?? '', state.catalog.signals.map(String), (v) => set('signal', v, { rerender: false }), { 'data-testid': 'field-signal' }), { path: `${base}.signal` }),
          field('timeout', textInput(step.timeout, (v) => set('timeout', v), { list: 'duration-list', 'data-testid': 'field-timeout', class: 'mono' }), { path: `${base}.timeout`, hint: t('durationHint') }),
        ),
        outputField(),
        h('div', { class: 'row two' }, refField('next', 'next'), refField('onTimeout', 'onTimeout')),
      );
      break;
    case 'decision': {
      const branches = Array.isArray(step.branches) ? step.branches : (step.branches = []);
      out.push(h('div', { class: 'subhead' }, bilingual('branches')));
      branches.forEach((b, i) => {
        const move = (d) => {
          const j = i + d;
          if (j < 0 || j >= branches.length) return;
          [branches[i], branches[j]] = [branches[j], branches[i]];
          changed({ form: true });
        };
        const summary = h('div', { class: 'hint mono' }, exprText(b?.when));
        out.push(
          h(
            'div',
            { class: 'branch', 'data-testid': `branch-${i}` },
            h(
              'div',
              { class: 'branch-head' },
              h('b', {}, t('branch', { n: i + 1 })),
              h('span', { class: 'spacer' }),
              h('button', { type: 'button', class: 'btn btn-tiny', title: '↑', onclick: () => move(-1) }, '↑'),
              h('button', { type: 'button', class: 'btn btn-tiny', title: '↓', onclick: () => move(1) }, '↓'),
              h('button', { type: 'button', class: 'btn btn-tiny btn-danger', 'data-testid': `remove-branch-${i}`, onclick: () => { branches.splice(i, 1); changed({ form: true }); } }, '✕'),
            ),
            field('when', jsonInput(b?.when, (v) => { b.when = v; summary.textContent = exprText(v); changed(); }, `step:when${i}`, { 'data-testid': `field-branch-${i}-when`, rows: 2 }), { path: `${base}.branches.${i}.when` }),
            summary,
            field('next', stepRef(b?.next, (v) => { b.next = v; changed(); }, { 'data-testid': `field-branch-${i}-next` }), { path: `${base}.branches.${i}.next` }),
          ),
        );
      });
      out.push(
        h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'add-branch', onclick: () => { branches.push({ when: { '!!': { var: '' } }, next: '' }); changed({ form: true }); } }, t('addBranch')),
        refField('otherwise', 'otherwise'),
      );
      break;
    }
    case 'notify': {
      const channels = Array.isArray(step.channels) ? step.channels : [];
      out.push(
        field('to', textInput(step.to, (v) => set('to', v), { list: 'owner-list', 'data-testid': 'field-to' }), { path: `${base}.to`, hint: t('toHint') }),
        textPair('message', 'messageZh', 'messageEn', 4),
        h('div', { class: 'hint' }, t('messageHint')),
        h(
          'div',
          { class: 'field', 'data-path': `${base}.channels` },
          bilingual('channels'),
          h('div', { class: 'checks' }, ...['in_app', 'sms', 'email'].map((c) =>
            h('label', { class: 'check' }, h('input', {
              type: 'checkbox', checked: channels.includes(c), 'data-testid': `field-channel-${c}`,
              onchange: (e) => {
                const next = new Set(Array.isArray(step.channels) ? step.channels : []);
                if (e.target.checked) next.add(c); else next.delete(c);
                const list = ['in_app', 'sms', 'email'].filter((x) => next.has(x));
                if (list.length) step.channels = list; else delete step.channels;
                changed();
              },
            }), ' ', c),
          )),
        ),
        refField('next', 'next'),
      );
      break;
    }
    case 'escalate':
      out.push(
        h(
          'div',
          { class: 'row two' },
          field('escalateTo', textInput(step.to, (v) => set('to', v), { list: 'group-list', 'data-testid': 'field-to' }), { path: `${base}.to` }),
          field('level', h('input', { type: 'number', min: 1, max: 9, value: step.level ?? 1, 'data-testid': 'field-level', oninput: (e) => set('level', e.target.value === '' ? undefined : Number(e.target.value)) }), { path: `${base}.level` }),
        ),
        field('reason', textInput(step.reason, (v) => set('reason', v), { 'data-testid': 'field-reason', class: 'mono' }), { path: `${base}.reason` }),
        field('escalateNext', stepRef(step.next, (v) => set('next', v, { optional: true }), { 'data-testid': 'field-next' }), { path: `${base}.next`, hint: t('escalateNextHint') }),
      );
      break;
    case 'close':
      out.push(
        field('resolution', textInput(step.resolution, (v) => set('resolution', v), { 'data-testid': 'field-resolution', class: 'mono' }), { path: `${base}.resolution`, hint: t('resolutionHint') }),
        field('data', jsonInput(step.data, (v) => set('data', v, { optional: true }), 'step:data', { 'data-testid': 'field-data', rows: 3 }), { path: `${base}.data` }),
      );
      break;
    default:
      break;
  }
  return out;
}

function renderDocForm() {
  const form = $('doc-form');
  const doc = state.draft;
  state.fieldErrors.delete('doc:policy');
  if (!isObj(doc)) {
    form.replaceChildren();
    return;
  }
  const setText = (lang, v) => {
    doc.name = isObj(doc.name) ? doc.name : { zh: '', en: '' };
    doc.name[lang] = v;
    changed();
    renderSopList();
  };
  const policy = isObj(doc.policy) ? doc.policy : {};
  const policyRows = Object.entries(policy).map(([k, v]) =>
    h(
      'div',
      { class: 'policy-row', 'data-testid': `policy-${k}` },
      h('code', { class: 'policy-key' }, k),
      typeof v === 'boolean'
        ? h('input', { type: 'checkbox', checked: v, 'data-path': `policy.${k}`, onchange: (e) => { doc.policy[k] = e.target.checked; changed({ diagram: false }); } })
        : h('input', {
            type: typeof v === 'number' ? 'number' : 'text', value: String(v), 'data-path': `policy.${k}`, 'data-testid': `field-policy-${k}`,
            oninput: (e) => { doc.policy[k] = typeof v === 'number' && e.target.value !== '' ? Number(e.target.value) : e.target.value; changed({ diagram: false }); },
          }),
      h('button', { type: 'button', class: 'btn btn-tiny btn-danger', title: '✕', onclick: () => { delete doc.policy[k]; if (!Object.keys(doc.policy).length) delete doc.policy; changed({ diagram: false }); renderDocForm(); } }, '✕'),
    ),
  );
  const newKey = h('input', { type: 'text', placeholder: t('policyName'), class: 'mono', 'data-testid': 'new-policy-key' });
  const newValue = h('input', { type: 'text', placeholder: t('policyValue'), 'data-testid': 'new-policy-value' });
  const addPolicy = () => {
    const k = newKey.value.trim();
    if (!IDENT.test(k)) return;
    const raw = newValue.value.trim();
    const value = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    doc.policy = { ...(isObj(doc.policy) ? doc.policy : {}), [k]: value };
    changed({ diagram: false });
    renderDocForm();
  };
  const ids = Object.keys(doc.steps ?? {});
  form.replaceChildren(
    field('docType', h('input', { type: 'text', value: doc.type ?? '', readonly: true, class: 'mono', 'data-testid': 'doc-type' }), { path: 'type' }),
    h(
      'div',
      { class: 'row two' },
      field('docNameZh', textInput(doc.name?.zh, (v) => setText('zh', v), { 'data-testid': 'doc-name-zh' }), { path: 'name.zh' }),
      field('docNameEn', textInput(doc.name?.en, (v) => setText('en', v), { 'data-testid': 'doc-name-en' }), { path: 'name.en' }),
    ),
    field('appliesTo', textInput((Array.isArray(doc.appliesTo) ? doc.appliesTo : []).join(', '), (v) => {
      doc.appliesTo = v.split(/[,,\s]+/).map((s) => s.trim()).filter(Boolean);
      changed({ diagram: false });
    }, { 'data-testid': 'doc-applies-to', class: 'mono' }), { path: 'appliesTo', hint: t('appliesToHint') }),
    field('startStep', selectInput(doc.start ?? '', ids, (v) => { doc.start = v; changed({ form: true }); }, { 'data-testid': 'doc-start' }), { path: 'start' }),
    h('fieldset', {}, h('legend', {}, bilingual('policy')), h('div', { class: 'hint' }, t('policyHint')), ...policyRows,
      h('div', { class: 'policy-row add' }, newKey, newValue, h('button', { type: 'button', class: 'btn btn-small', onclick: addPolicy, 'data-testid': 'add-policy' }, t('addPolicy')))),
  );
  markFieldErrors();
}

// ---------------------------------------------------------------- add step
function setupAddStep() {
  const kindSelect = $('new-step-kind');
  const fill = () => kindSelect.replaceChildren(...STEP_KINDS.map((k) => h('option', { value: k }, `${kindName(k)} · ${k}`)));
  fill();
  $('add-step-button').addEventListener('click', () => {
    const id = $('new-step-id').value.trim();
    const errBox = $('add-step-error');
    if (!IDENT.test(id)) return void (errBox.textContent = t('badId'));
    if (state.draft.steps?.[id]) return void (errBox.textContent = t('idTaken'));
    errBox.textContent = '';
    state.draft.steps = { ...(state.draft.steps ?? {}), [id]: templateStep(kindSelect.value, id) };
    $('new-step-id').value = '';
    $('add-step').open = false;
    state.selected = id;
    changed({ form: true });
  });
  $('step-picker').addEventListener('change', (e) => selectStep(e.target.value, { scroll: true }));
  return fill;
}

// ---------------------------------------------------------------- YAML
function toYaml(doc) {
  const d = new YAML.Document(doc);
  const FLOW_KEYS = new Set(['name', 'onBreach', 'when', 'appliesTo', 'decisions', 'channels']);
  YAML.visit(d, {
    Pair(_, pair, path) {
      const key = YAML.isScalar(pair.key) ? pair.key.value : pair.key;
      // path ends with …, Pair(input), YAMLMap(the inputs): the pair's own map is path[-1], its owner path[-2]
      const owner = path.length >= 2 ? path[path.length - 2] : null;
      const ownerKey = owner && YAML.isPair(owner) && YAML.isScalar(owner.key) ? owner.key.value : null;
      if (YAML.isCollection(pair.value) && (FLOW_KEYS.has(key) || ownerKey === 'input' || ownerKey === 'data')) pair.value.flow = true;
    },
  });
  return d.toString({ lineWidth: 0, flowCollectionPadding: true });
}

let yamlTyping = false;
/** the YAML text follows the draft, except while the user types in it or it has a syntax error to fix */
function syncYaml(force = false) {
  if (!state.draft) return;
  if (state.tab !== 'yaml' && !force) return;
  if (yamlTyping || state.yamlError) return;
  $('yaml-editor').value = toYaml(state.draft);
}
/** an edit elsewhere (form, loading) wins over unparseable YAML text */
function clearYamlError() {
  if (!state.yamlError) return;
  state.yamlError = null;
  $('yaml-error').hidden = true;
  $('tab-yaml').classList.remove('tab-bad');
}

function setupYaml() {
  const ta = $('yaml-editor');
  const apply = debounce(() => {
    yamlTyping = false;
    const box = $('yaml-error');
    let parsed;
    try {
      const doc = YAML.parseDocument(ta.value, { prettyErrors: true });
      if (doc.errors.length) {
        const e = doc.errors[0];
        const line = e.linePos?.[0]?.line;
        throw new Error((line ? t('yamlLine', { line }) : '') + e.message.split('\n')[0]);
      }
      parsed = doc.toJS();
      if (!isObj(parsed)) throw new Error(t('yamlNotObject'));
    } catch (err) {
      state.yamlError = err.message;
      box.hidden = false;
      box.textContent = err.message;
      $('tab-yaml').classList.add('tab-bad');
      updatePublishButton();
      return;
    }
    state.yamlError = null;
    box.hidden = true;
    $('tab-yaml').classList.remove('tab-bad');
    state.draft = parsed;
    if (state.selected && !parsed.steps?.[state.selected]) state.selected = parsed.start ?? Object.keys(parsed.steps ?? {})[0] ?? null;
    changed({ form: true, yaml: false });
  }, 400);
  ta.addEventListener('input', () => {
    yamlTyping = true;
    apply();
  });
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Tab') {
      e.preventDefault();
      ta.setRangeText('  ', ta.selectionStart, ta.selectionEnd, 'end');
      ta.dispatchEvent(new Event('input'));
    }
  });
}

// ---------------------------------------------------------------- diff view
function renderDiff() {
  const count = $('diff-count');
  if (!state.draft || !state.published) {
    count.textContent = '';
    return;
  }
  const d = diffDocs(state.published, state.draft);
  count.textContent = d.count ? String(d.count) : '';
  count.dataset.count = String(d.count);
  if (state.tab !== 'diff') return;
  $('diff-base').textContent = t('diffBase', { v: state.publishedVersion });
  const list = $('diff-list');
  const fieldRows = (fields) =>
    h('ul', { class: 'diff-fields' }, ...fields.map((f) =>
      h('li', { 'data-testid': 'diff-field', dataset: { path: f.path } },
        h('code', { class: 'diff-path' }, f.path), ' ',
        h('span', { class: 'diff-before' }, clip(show(f.before), 80)), ' → ',
        h('span', { class: 'diff-after' }, clip(show(f.after), 80)))));
  const stepName = (doc, id) => localized(doc.steps?.[id]?.name);
  const sections = [];
  if (d.doc.length) sections.push(h('section', { 'data-testid': 'diff-doc' }, h('h3', {}, bilingual('diffDoc')), fieldRows(d.doc)));
  if (d.added.length) sections.push(h('section', {}, h('h3', { class: 'diff-added-h' }, bilingual('diffAdded')), h('ul', {}, ...d.added.map((id) =>
    h('li', { class: 'diff-step added', 'data-testid': `diff-added-${id}`, onclick: () => selectStep(id, { scroll: true }) }, h('b', {}, '+ ', id), ' ', stepName(state.draft, id))))));
  if (d.removed.length) sections.push(h('section', {}, h('h3', { class: 'diff-removed-h' }, bilingual('diffRemoved')), h('ul', {}, ...d.removed.map((id) =>
    h('li', { class: 'diff-step removed', 'data-testid': `diff-removed-${id}` }, h('b', {}, '− ', id), ' ', stepName(state.published, id))))));
  if (d.changed.length) sections.push(h('section', {}, h('h3', { class: 'diff-changed-h' }, bilingual('diffChanged')), h('ul', {}, ...d.changed.map((c) =>
    h('li', { class: 'diff-step changed', 'data-testid': `diff-changed-${c.id}` },
      h('div', { class: 'diff-step-head', onclick: () => selectStep(c.id, { scroll: true }) }, h('b', {}, '~ ', c.id), ' ', stepName(state.draft, c.id)),
      fieldRows(c.fields))))));
  list.replaceChildren(...(sections.length ? sections : [h('p', { class: 'muted', 'data-testid': 'diff-empty' }, t('noDiff'))]));
  $('discard-button').hidden = d.count === 0;
}

// ---------------------------------------------------------------- publish
// The admin token lives in this tab's sessionStorage; only "remember" (opt-in) keeps it in localStorage.
const TOKEN_KEY = 'ticketflow.designer.adminToken';
const savedToken = () => sessionStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(TOKEN_KEY) ?? '';
function keepToken(token, remember) {
  sessionStorage.setItem(TOKEN_KEY, token);
  if (remember) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}
function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(TOKEN_KEY);
}
function setupPublish() {
  const dialog = $('publish-dialog');
  const message = $('publish-message');
  const showMessage = (text, kind) => {
    message.hidden = false;
    message.textContent = text;
    message.dataset.kind = kind;
    message.className = `publish-message ${kind === 'ok' ? 'ok' : 'bad'}`;
  };
  $('publish-button').addEventListener('click', () => {
    if ($('publish-button').disabled) return;
    const d = diffDocs(state.published, state.draft);
    $('publish-summary').textContent = t('publishSummary', { type: state.type, v: (state.versions[0]?.version ?? 0) + 1, n: d.count });
    $('token-input').value = savedToken();
    $('token-remember').checked = localStorage.getItem(TOKEN_KEY) !== null;
    message.hidden = true;
    message.dataset.kind = '';
    $('publish-confirm').disabled = false;
    dialog.showModal();
    $('token-input').focus();
  });
  $('publish-cancel').addEventListener('click', () => dialog.close());
  $('publish-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) return showMessage(t('unauthorized'), 'unauthorized');
    const remember = $('token-remember').checked;
    $('publish-confirm').disabled = true;
    showMessage(t('publishing'), 'pending');
    const type = state.type;
    try {
      const document = clone(state.draft);
      const res = await api('POST', `/v1/sops/${encodeURIComponent(type)}/versions`, { document }, { authorization: `Bearer ${token}` });
      keepToken(token, remember);
      localStorage.removeItem(`ticketflow.designer.draft.${type}`);
      hasLocalEdits = false;
      dialog.close();
      toast(t('published', { type, v: res.version }), 'ok');
      await loadSops();
      await openSop(type, { restore: false });
    } catch (err) {
      $('publish-confirm').disabled = false;
      if (err.status === 401) {
        forgetToken();
        showMessage(t('unauthorized'), 'unauthorized');
      } else if (err.status === 403) {
        forgetToken();
        showMessage(t('forbidden'), 'forbidden');
      } else if (err.status === 400 && err.data?.error === 'invalid_sop') {
        state.errors = sortErrors(err.data.errors ?? []);
        state.validity = 'invalid';
        renderValidation();
        showMessage(t('serverInvalid', { n: state.errors.length }), 'invalid');
      } else {
        showMessage(t('publishFailed') + err.message, 'error');
      }
    }
  });
  $('discard-button').addEventListener('click', () => {
    if (!window.confirm(t('confirmDiscard'))) return;
    localStorage.removeItem(`ticketflow.designer.draft.${state.type}`);
    hasLocalEdits = false;
    openSop(state.type, { restore: false });
  });
}

let toastTimer;
function toast(text, kind = '') {
  const el = $('toast');
  el.textContent = text;
  el.className = `toast ${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 5000);
}

// ---------------------------------------------------------------- i18n of the static page
function applyI18n() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const key = el.dataset.i18n;
    const short = el.closest('button, .tab, summary, option') || el.tagName === 'H1';
    el.replaceChildren(short ? t(key) : bilingual(key));
  }
  $('lang-toggle').textContent = state.lang === 'zh' ? 'EN' : 'ZH';
  $('lang-toggle').title = state.lang === 'zh' ? 'Switch to English' : '切换到中文';
}

// ---------------------------------------------------------------- start
async function main() {
  applyI18n();
  renderLegend();
  const refillKinds = setupAddStep();
  setupYaml();
  setupPublish();
  // no inline handlers (the Content-Security-Policy forbids them): these forms only hold fields
  for (const id of ['step-form', 'doc-form']) $(id).addEventListener('submit', (e) => e.preventDefault());
  for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => showTab(b.dataset.tab));
  $('lang-toggle').addEventListener('click', () => {
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('ticketflow.designer.lang', state.lang);
    applyI18n();
    renderLegend();
    refillKinds();
    renderSopList();
    renderVersions();
    updateHeader();
    renderValidation();
    renderForms();
    renderDiff();
    if (state.tab === 'doc') renderDocForm();
    scheduleDiagram.flush();
  });
  $('zoom-in').addEventListener('click', () => { state.zoom = Math.min(2, (state.zoom === 'fit' ? currentZoom() : state.zoom) * 1.2); applyZoom(); });
  $('zoom-out').addEventListener('click', () => { state.zoom = Math.max(0.2, (state.zoom === 'fit' ? currentZoom() : state.zoom) / 1.2); applyZoom(); });
  $('zoom-fit').addEventListener('click', () => { state.zoom = state.zoom === 'fit' ? 1 : 'fit'; applyZoom(); });
  window.addEventListener('resize', debounce(() => state.zoom === 'fit' && applyZoom(), 150));
  window.addEventListener('beforeunload', (e) => {
    if (hasLocalEdits && state.published && stable(state.published) !== stable(state.draft)) {
      saveDraftLocally.flush();
    }
    void e;
  });

  try {
    const catalog = await api('GET', '/v1/sops/catalog');
    state.catalog = { ...state.catalog, ...catalog, skillGroups: [...(catalog.skillGroups ?? [])], signals: [...(catalog.signals ?? state.catalog.signals)] };
  } catch {
    /* the forms still work with free text */
  }
  await loadSops();
  const m = /^#([A-Za-z0-9_]+)(?:@(\d+))?$/.exec(location.hash);
  const first = m && state.sops.some((s) => s.type === m[1]) ? m[1] : null;
  if (first) await openSop(first, { version: m[2] ? Number(m[2]) : null });
  document.body.dataset.ready = 'true';
}
function currentZoom() {
  const svg = $('diagram').querySelector('svg');
  return svg ? Number(svg.getAttribute('width')) / Number(svg.dataset.width) : 1;
}

main();
