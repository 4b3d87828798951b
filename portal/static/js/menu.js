// The main menu folds on a narrow screen: a "Menu" button shows and hides it. Without this
// script the menu wraps onto more lines, which works too (progressive enhancement; the CSP
// allows no inline script, so it lives here).
document.addEventListener("DOMContentLoaded", () => {
  const nav = document.querySelector(".fp-nav");
  const list = nav && nav.querySelector(".utrecht-nav-list");
  if (!list) return;
  list.id = list.id || "hoofdmenu-lijst";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "utrecht-button utrecht-button--secondary-action fp-nav__toggle";
  button.textContent = "Menu";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", list.id);
  button.addEventListener("click", () => {
    const open = nav.classList.toggle("fp-nav--open");
    button.setAttribute("aria-expanded", String(open));
  });
  list.before(button);
  nav.classList.add("fp-nav--foldable");
});
