// Tiny i18n for end-user pages (the language comes from the link): a dictionary per language, {name} placeholders, Chinese by default.
export function createI18n(dictionaries, language) {
  const lang = dictionaries[language] ? language : 'zh';
  const dict = dictionaries[lang];
  return {
    lang,
    t(key, params = {}) {
      const text = dict[key] ?? dictionaries.zh[key] ?? key;
      return text.replace(/\{(\w+)\}/g, (_m, name) => (params[name] === undefined ? '' : String(params[name])));
    },
  };
}

/** ¥ with two decimals from fen. */
export const yuan = (fen) => `¥${(fen / 100).toFixed(2)}`;

// Staff pages (a language switch kept in localStorage), in two-language labels: each entry is [zh, en]; elements with data-i18n get their text
// (data-i18n-placeholder their placeholder). The choice is kept in localStorage.
const LANG_KEY = 'ticketflow.lang';

/** The staff login form's texts, shared by every staff page (a page may name its own loginTitle). */
const LOGIN_LABELS = {
  loginTitle: ['客服登录', 'Staff login'],
  username: ['用户名', 'Username'],
  password: ['密码', 'Password'],
  login: ['登录', 'Log in'],
  logout: ['退出', 'Log out'],
  loginFailed: ['用户名或密码错误', 'Wrong username or password'],
};

export function createStaffI18n(pageLabels) {
  const labels = { ...LOGIN_LABELS, ...pageLabels };
  let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
  const t = (key) => (labels[key] ?? [key, key])[lang === 'zh' ? 0 : 1];
  function apply(root = document) {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  return {
    t,
    apply,
    get lang() {
      return lang;
    },
    toggle() {
      lang = lang === 'zh' ? 'en' : 'zh';
      localStorage.setItem(LANG_KEY, lang);
      apply();
    },
  };
}
