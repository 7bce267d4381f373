/* gongkai: keeps the reading settings (大字, 高对比度) from page to page.
   The switches work without this script (they are checkboxes styled by CSS); the script only
   remembers them, in this browser's own storage (localStorage), which is never sent anywhere.
   Plain ES5, no modules, so that old phones and kiosks run it; any failure leaves the page as it is. */
(function () {
  var store;
  try { store = window.localStorage; } catch (e) { return; }
  if (!store) { return; }
  var ids = ['pref-large', 'pref-contrast'];
  for (var i = 0; i < ids.length; i++) {
    (function (id) {
      var box = document.getElementById(id);
      if (!box) { return; }
      try { if (store.getItem('gongkai.' + id) === 'on') { box.checked = true; } } catch (e) { /* storage refused */ }
      box.addEventListener('change', function () {
        try {
          if (box.checked) { store.setItem('gongkai.' + id, 'on'); } else { store.removeItem('gongkai.' + id); }
        } catch (e) { /* storage full or refused: the setting holds on this page only */ }
      });
    })(ids[i]);
  }
})();
