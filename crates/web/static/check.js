// The client's check, one questionnaire per screen (issue 16, item 5). Without this script every part is on one
// page, each labelled "Part i of n"; with it, one part at a time with Back and Next, a progress bar, and the
// part holding a problem shown whenever the browser or the server finds one. The answers are one form either
// way, sent once.
(() => {
  'use strict';
  // A tablet's thank-you page goes back to the code form by itself (a timer, not a meta refresh, which people
  // using assistive technology cannot stop); the Done link goes at once.
  const done = document.querySelector('[data-kiosk-return]');
  if (done) setTimeout(() => window.location.replace(done.dataset.kioskReturn), 30_000);
  const form = document.querySelector('form.check');
  if (!form) return;
  // On a waiting-room tablet: back to the code form after two minutes without input, so the next person does not
  // find someone's answers.
  const home = form.dataset.kioskHome;
  if (home) {
    let timer;
    const restart = () => {
      clearTimeout(timer);
      timer = setTimeout(() => window.location.replace(home), 120_000);
    };
    ['input', 'click', 'keydown', 'touchstart', 'scroll'].forEach((e) => document.addEventListener(e, restart, { passive: true }));
    restart();
  }
  const parts = [...form.querySelectorAll('fieldset.instrument')];
  if (parts.length < 2) return;

  const make = (tag, props) => Object.assign(document.createElement(tag), props);
  const progress = make('progress', { max: parts.length, value: 1 });
  progress.setAttribute('aria-hidden', 'true');
  const label = make('p', { className: 'part-label' });
  label.setAttribute('aria-live', 'polite');
  const head = make('div', { className: 'part-progress' });
  head.append(label, progress);
  parts[0].before(head);
  // The words come from the page, in its language (the server writes them into the form's data attributes).
  const words = form.dataset;
  const back = make('button', { type: 'button', textContent: words.back ?? 'Back' });
  const next = make('button', { type: 'button', textContent: words.next ?? 'Next', className: 'primary' });
  const nav = make('div', { className: 'part-nav' });
  nav.append(back, next);
  parts[parts.length - 1].after(nav);

  let current = 0;
  const title = (part) => part.querySelector('legend')?.firstChild?.textContent?.trim() ?? '';
  function show(index, focus) {
    current = Math.max(0, Math.min(parts.length - 1, index));
    parts.forEach((part, i) => { part.hidden = i !== current; });
    progress.value = current + 1;
    const shown = words.partLabel ?? 'Part @part of @parts: @title';
    label.textContent = shown
      .replace('@parts', String(parts.length))
      .replace('@part', String(current + 1))
      .replace('@title', title(parts[current]));
    back.disabled = current === 0;
    next.hidden = current === parts.length - 1;
    if (focus) {
      head.scrollIntoView({ block: 'start' });
      parts[current].querySelector('legend')?.setAttribute('tabindex', '-1');
      parts[current].querySelector('legend')?.focus({ preventScroll: true });
    }
  }

  next.addEventListener('click', () => {
    const missing = [...parts[current].querySelectorAll('input, textarea, select')].find((el) => !el.checkValidity());
    if (missing) {
      missing.reportValidity();
      return;
    }
    show(current + 1, true);
  });
  back.addEventListener('click', () => show(current - 1, true));
  // A question left out of a part that is not shown: show that part, so the browser can point at it.
  form.addEventListener('invalid', (event) => {
    const holder = parts.findIndex((part) => part.contains(event.target));
    if (holder >= 0 && holder !== current) show(holder, false);
  }, true);

  // For tests and assistive tools: show the part that holds an element.
  window.allianceCheck = { show: (el) => { const i = parts.findIndex((p) => p.contains(el)); if (i >= 0) show(i, false); } };
  const flagged = parts.findIndex((part) => part.querySelector('.item.invalid'));
  show(flagged >= 0 ? flagged : 0, false);
})();
