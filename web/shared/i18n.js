// Tiny i18n: a dictionary per language, {name} placeholders, Chinese by default.
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
