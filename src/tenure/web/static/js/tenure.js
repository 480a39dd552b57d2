/* Tenure's small browser helper: renders every <div data-vega-spec="..."> with
   vega-embed (on page load and after every HTMX swap) and keeps HTMX requests
   carrying the CSRF token. No framework, no build step. */
(function () {
  "use strict";

  // The Content-Security-Policy allows no eval and no inline styles, so: `ast: true`
  // makes Vega evaluate expressions with vega-embed's bundled interpreter instead of
  // `new Function`; vega-embed's and vega-tooltip's injected <style> elements are turned
  // off (their rules are copied into tenure.css).
  var EMBED_OPTIONS = {
    actions: false,
    renderer: "svg",
    ast: true,
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true }
  };

  function renderCharts(root) {
    if (typeof window.vegaEmbed !== "function") return;
    var nodes = (root || document).querySelectorAll("[data-vega-spec]:not([data-vega-rendered])");
    nodes.forEach(function (node) {
      var spec;
      try {
        spec = JSON.parse(node.getAttribute("data-vega-spec"));
      } catch (error) {
        node.textContent = "This chart could not be read.";
        return;
      }
      node.setAttribute("data-vega-rendered", "1");
      window.vegaEmbed(node, spec, EMBED_OPTIONS).catch(function () {
        node.textContent = "This chart could not be drawn.";
      });
    });
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  if (window.htmx) {
    window.htmx.onLoad(function (element) { renderCharts(element); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  }

  // Forms marked data-current-query send the page's current query string (it changes
  // when HTMX filters push a new URL), e.g. "save this view".
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-current-query")) return;
    var input = form.querySelector('input[name="query"]');
    if (input) input.value = window.location.search.replace(/^\?/, "");
  });

  // Forms marked data-reset-on-success are cleared after a successful HTMX request
  // (instead of an hx-on attribute, which needs eval).
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-reset-on-success")) return;
    if (event.detail.successful && typeof form.reset === "function") form.reset();
  });

  window.Tenure = { renderCharts: renderCharts };
})();
