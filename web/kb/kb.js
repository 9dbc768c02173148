// The agents' knowledge-base search page: log in, search (Chinese or English, filters by kind and language),
// read the article in force with its effective date and its other-language text.
import { api, bindLoginForm, session } from '/shared/api.js';
import { createStaffI18n } from '/shared/i18n.js';

const i18n = createStaffI18n({
  title: ['知识库', 'Knowledge base'],
  placeholder: ['搜索政策、费率、操作指引… 例如 跨城运输附加费计算', 'Search policies, rates, guides… e.g. waiting fee'],
  allKinds: ['全部类型', 'All kinds'],
  allLangs: ['全部语言', 'All languages'],
  search: ['搜索', 'Search'],
  rate_table: ['费率表', 'Rate table'],
  policy: ['政策', 'Policy'],
  guide: ['操作指引', 'Guide'],
  faq: ['常见问题', 'FAQ'],
  case: ['历史案例', 'Past case'],
  inForceSince: ['生效日期', 'In force since'],
  version: ['版本', 'Version'],
  results: ['条结果', 'results'],
  none: ['没有找到相关文章', 'No matching articles'],
  translation: ['其他语言版本', 'Other language'],
  error: ['搜索失败', 'Search failed'],
});

const $ = (id) => document.getElementById(id);
const day = (iso) => iso.slice(0, 10);

function show(loggedIn) {
  $('login').hidden = loggedIn;
  $('search-view').hidden = !loggedIn;
  if (loggedIn) $('q').focus();
  // /kb#article=<id> (the console's similar cases link here) opens that article
  const wanted = new URLSearchParams(location.hash.slice(1)).get('article');
  if (loggedIn && wanted) openArticle(wanted, null);
}

function resultItem(hit) {
  const li = document.createElement('li');
  li.setAttribute('data-testid', `result-${hit.articleId}`);
  const h3 = document.createElement('h3');
  h3.textContent = hit.title;
  const meta = document.createElement('div');
  meta.className = 'meta';
  const kind = document.createElement('span');
  kind.className = 'badge';
  kind.textContent = i18n.t(hit.kind);
  const since = document.createElement('span');
  since.setAttribute('data-testid', 'effective-from');
  since.textContent = `${i18n.t('inForceSince')} ${day(hit.effectiveFrom)}`;
  const version = document.createElement('span');
  version.textContent = `${i18n.t('version')} ${hit.version} · ${hit.lang}`;
  meta.append(kind, since, version);
  const snippet = document.createElement('p');
  snippet.className = 'snippet';
  snippet.innerHTML = hit.snippet; // escaped by the server; only <mark> is markup
  li.append(h3, meta, snippet);
  li.addEventListener('click', () => openArticle(hit.articleId, li));
  return li;
}

async function openArticle(articleId, li) {
  for (const el of document.querySelectorAll('.results li.selected')) el.classList.remove('selected');
  li?.classList.add('selected');
  const { status, body } = await api('GET', `/v1/kb/articles/${encodeURIComponent(articleId)}`);
  const view = $('article');
  view.replaceChildren();
  view.hidden = false;
  if (status !== 200) {
    view.textContent = body?.message ?? i18n.t('error');
    return;
  }
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.setAttribute('data-testid', 'article-meta');
  meta.textContent = `${i18n.t(body.kind)} · ${i18n.t('inForceSince')} ${day(body.effectiveFrom)} · ${i18n.t('version')} ${body.version}`;
  const text = document.createElement('pre');
  text.setAttribute('data-testid', 'article-body');
  text.textContent = body.body;
  view.append(meta, text);
  for (const other of body.translations ?? []) {
    const link = document.createElement('button');
    link.className = 'btn';
    link.setAttribute('data-testid', `translation-${other.lang}`);
    link.textContent = `${i18n.t('translation')}: ${other.title}`;
    link.addEventListener('click', () => openArticle(other.articleId, null));
    view.append(link);
  }
}

async function search(event) {
  event?.preventDefault();
  const q = $('q').value.trim();
  if (!q) return;
  const params = new URLSearchParams({ q, limit: '10' });
  if ($('kind').value) params.set('kind', $('kind').value);
  if ($('lang').value) params.set('lang', $('lang').value);
  const { status, body } = await api('GET', `/v1/kb/search?${params}`);
  if (status === 401) return show(false);
  const list = $('results');
  list.replaceChildren();
  delete list.dataset.query;
  if (status !== 200) {
    $('status').textContent = `${i18n.t('error')}: ${body?.message ?? status}`;
    return;
  }
  $('status').textContent = body.results.length ? `${body.results.length} ${i18n.t('results')}` : i18n.t('none');
  list.append(...body.results.map(resultItem));
  list.dataset.query = q; // which search the list shows
}

bindLoginForm(i18n, () => show(true));
$('search').addEventListener('submit', search);
$('lang-toggle').addEventListener('click', () => {
  i18n.toggle();
  $('lang-toggle').textContent = i18n.lang === 'zh' ? 'EN' : '中文';
  if ($('q').value.trim()) search();
});

i18n.apply();
$('lang-toggle').textContent = i18n.lang === 'zh' ? 'EN' : '中文';
show(Boolean(session.token()));
