/* gongkai site search (search.html only). Plain ES5, no modules, no eval, no WebAssembly, nothing
   from another host: it runs on old phones and kiosk browsers. The index is built by gongkai
   (src/render/search): a query is cut into grams by the same rules, each gram's shard is fetched,
   and the pages that have every gram are listed with their title, unit and excerpt. */
(function () {
  'use strict';
  var form = document.querySelector('form[data-index]');
  if (!form || !window.XMLHttpRequest || !window.JSON) { return; }
  var input = form.querySelector('input[name="q"]');
  var statusEl = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var nojs = document.getElementById('search-nojs');
  var metaUrl = form.getAttribute('data-index');
  var base = metaUrl.replace(/meta\.json$/, '');
  var SHOWN = 50;
  var cache = {};
  var meta = null;
  var current = 0;

  if (nojs) { nojs.hidden = true; }

  function get(url, done) {
    if (cache.hasOwnProperty(url)) { done(cache[url]); return; }
    var xhr = new XMLHttpRequest();
    xhr.open('GET', url, true);
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      var value = null;
      if (xhr.status === 200) { try { value = JSON.parse(xhr.responseText); } catch (e) { value = null; } }
      cache[url] = value;
      done(value);
    };
    xhr.send();
  }

  /* the rules of src/render/search/tokens.rs */
  function isHan(cp) {
    return (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
      (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x2ffff);
  }
  function grams(text) {
    var out = [], han = [], word = '', i = 0, cp, ch, j;
    function flushHan() {
      if (han.length === 1) { out.push(han[0]); }
      for (j = 0; j + 1 < han.length; j++) { out.push(han[j] + han[j + 1]); }
      han = [];
    }
    while (i < text.length) {
      cp = text.charCodeAt(i);
      ch = text.charAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
        var lo = text.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
          ch = text.substr(i, 2);
          i++;
        }
      }
      i++;
      if (cp >= 0xff01 && cp <= 0xff5e) { cp -= 0xfee0; ch = String.fromCharCode(cp); }
      if (cp < 128) { ch = ch.toLowerCase(); }
      if (isHan(cp)) {
        if (word) { out.push(word); word = ''; }
        han.push(ch);
      } else {
        flushHan();
        if (/^[0-9a-z]$/.test(ch)) { word += ch; } else if (word) { out.push(word); word = ''; }
      }
    }
    flushHan();
    if (word) { out.push(word); }
    return out;
  }
  function shard(gram, shards) {
    var h = 0x811c9dc5, k;
    for (k = 0; k < gram.length; k++) { h = Math.imul ? Math.imul(h ^ gram.charCodeAt(k), 16777619) : mul(h ^ gram.charCodeAt(k)); }
    return (h >>> 0) % shards;
  }
  function mul(a) { /* a * 16777619 (2^24 + 403) mod 2^32, where Math.imul is missing */
    return ((a >>> 0) * 403 + (a << 24)) | 0;
  }

  function docs(gaps) {
    var out = [], at = 0, k;
    for (k = 0; k < gaps.length; k++) { at += gaps[k]; out.push(at); }
    return out;
  }
  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) { i++; } else { j++; }
    }
    return out;
  }

  function say(text) { statusEl.textContent = text; }
  function clear() { while (list.firstChild) { list.removeChild(list.firstChild); } }

  function show(query, ids, records) {
    var ranked = [], k, r;
    for (k = 0; k < ids.length && k < records.length; k++) {
      r = records[k];
      if (r) { ranked.push({ r: r, first: r[0].indexOf(query) >= 0 ? 0 : 1, n: k }); }
    }
    ranked.sort(function (a, b) { return a.first - b.first || a.n - b.n; });
    clear();
    for (k = 0; k < ranked.length && k < SHOWN; k++) {
      r = ranked[k].r;
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = r[2];
      a.textContent = r[0];
      li.appendChild(a);
      var unit = document.createElement('p');
      unit.className = 'result-unit';
      unit.textContent = r[1];
      li.appendChild(unit);
      if (r[3]) {
        var ex = document.createElement('p');
        ex.className = 'result-excerpt';
        ex.textContent = r[3];
        li.appendChild(ex);
      }
      list.appendChild(li);
    }
    say('找到 ' + ids.length + ' 个页面' + (ids.length > SHOWN ? '，下面是前 ' + SHOWN + ' 个' : '') + '。');
  }

  function run(query) {
    var token = ++current;
    var gs = grams(query);
    clear();
    if (!gs.length) { say('请输入要查找的字词。'); return; }
    say('正在搜索……');
    get(base + 'meta.json', function (m) {
      if (token !== current) { return; }
      if (!m) { say('搜索索引没有加载成功，请稍后再试，或按下面的公开目录查找。'); if (nojs) { nojs.hidden = false; } return; }
      meta = m;
      var left = gs.length, lists = [], failed = false;
      for (var k = 0; k < gs.length; k++) {
        (function (k) {
          get(base + 'g/' + shard(gs[k], meta.shards) + '.json', function (s) {
            if (!s) { failed = true; } else { lists[k] = s.hasOwnProperty(gs[k]) ? docs(s[gs[k]]) : []; }
            if (--left === 0) { found(token, query, lists, failed); }
          });
        })(k);
      }
    });
  }

  function found(token, query, lists, failed) {
    if (token !== current) { return; }
    if (failed) { say('搜索索引没有加载成功，请稍后再试。'); return; }
    var ids = lists[0];
    for (var k = 1; k < lists.length; k++) { ids = intersect(ids, lists[k]); }
    if (!ids.length) { say('没有找到含有「' + query + '」的页面。可以换一个词，或按公开目录查找。'); if (nojs) { nojs.hidden = false; } return; }
    var wanted = ids.slice(0, 200), files = [], per = meta.docs_per_file, f;
    for (k = 0; k < wanted.length; k++) {
      f = Math.floor(wanted[k] / per);
      if (files[files.length - 1] !== f) { files.push(f); }
    }
    var left = files.length, loaded = {};
    for (k = 0; k < files.length; k++) {
      (function (f) {
        get(base + 'd/' + f + '.json', function (d) {
          loaded[f] = d || [];
          if (--left === 0 && token === current) {
            var records = [];
            for (var n = 0; n < wanted.length; n++) {
              records.push(loaded[Math.floor(wanted[n] / per)][wanted[n] % per]);
            }
            show(query, ids, records);
          }
        });
      })(files[k]);
    }
  }

  function fromAddress() {
    var m = /[?&]q=([^&]*)/.exec(window.location.search);
    if (!m) { return ''; }
    try { return decodeURIComponent(m[1].replace(/\+/g, ' ')); } catch (e) { return ''; }
  }

  form.onsubmit = function (e) {
    if (e && e.preventDefault) { e.preventDefault(); }
    var q = input.value.replace(/^\s+|\s+$/g, '');
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, '', '?q=' + encodeURIComponent(q));
    }
    run(q);
    return false;
  };
  var initial = fromAddress();
  if (initial) { input.value = initial; run(initial); }
}());
