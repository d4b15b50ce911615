// Space for Play / Pause, and the focus kept on them: see ui/transport.py.
(() => {
  if (window.pgTransportKeys) return;
  window.pgTransportKeys = true;
  const slot = '.st-key-__SLOT__';
  // The button shown: Streamlit may keep the one it replaced beside it, marked retained,
  // and on a touch screen it draws a button with help twice, the one with the tooltip hidden.
  const button = () => [...document.querySelectorAll(slot + ' > :not([data-retained]) button')]
      .find((b) => b.getClientRects().length > 0);
  const inSlot = (el) => !!(el && el.closest && el.closest(slot));
  const takesSpace = (el) => !!el && el !== document.body && (el.isContentEditable
      || /^(INPUT|TEXTAREA|SELECT|BUTTON|A|SUMMARY)$/.test(el.tagName)
      || /^(slider|textbox|combobox|listbox|option|spinbutton|tab|switch|checkbox|radio)$/
           .test(el.getAttribute('role') || ''));
  let keepFocus = false;
  document.addEventListener('keydown', (e) => {
    if ((e.key !== ' ' && e.code !== 'Space') || e.repeat || e.ctrlKey || e.metaKey
        || e.altKey || takesSpace(document.activeElement)) return;
    const b = button();
    if (!b) return;
    e.preventDefault();
    keepFocus = true;
    b.focus();
    b.click();
  }, true);
  document.addEventListener('pointerdown', (e) => { keepFocus = inSlot(e.target); }, true);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Tab') keepFocus = false;
    else if ((e.key === ' ' || e.key === 'Enter') && inSlot(document.activeElement))
      keepFocus = true;
  }, true);
  // A click the server never handled is clicked again. On a busy server a click that
  // meets a rerun is sometimes lost (Pause then does nothing while a class watches); the
  // server counts the Play / Pause clicks it handled in the slot's data-handled, and Play
  // and Pause are two buttons, so clicking the one shown again changes nothing twice.
  const handled = () => document.querySelector(slot + ' [data-handled]')?.dataset.handled;
  const label = (b) => b && b.textContent.trim();
  let pending = null;
  const check = () => {
    const b = button();
    if (!pending || handled() !== pending.handled || label(b) !== pending.label
        || pending.tries >= 3) { pending = null; return; }
    pending.tries += 1;
    pending.again = true;
    b.click();
    pending.again = false;
    setTimeout(check, 2500);
  };
  document.addEventListener('click', (e) => {
    if (!inSlot(e.target) || (pending && pending.again)) return;
    const b = e.target.closest && e.target.closest('button');
    if (!b) return;
    pending = {handled: handled(), label: label(b), tries: 0, again: false};
    setTimeout(check, 2500);
  }, true);
  new MutationObserver(() => {
    const b = keepFocus && button();
    const now = document.activeElement;
    const lost = !now || now === document.body || (inSlot(now) && now !== b);
    if (b && lost) b.focus();
  }).observe(document.body, {childList: true, subtree: true, attributes: true,
                             attributeFilter: ['data-retained', 'data-stale']});
})();
