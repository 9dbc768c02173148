// The designer's DOM helpers: the element builder and lookup by id (shared with the other staff pages), debounce, the toast message.
import { $, h } from '/shared/dom.js';

export { $, h };
export const debounce = (fn, ms) => {
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

let toastTimer;
export function toast(text, kind = '') {
  const el = $('toast');
  el.textContent = text;
  el.className = `toast ${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 5000);
}

