// The stepper: ←/→ and the buttons move through the backward steps; a click on a node shows it.
(function () {
  "use strict";
  var root = document.getElementById("cg");
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  function say(key, fill) { // the page's language (text.lang), {name} filled from `fill`
    return data.words[key].replace(/\{(\w+)\}/g, function (m, k) { return String(fill[k]); });
  }
  var figure = root.querySelector(".cg-figure");
  var items = Array.prototype.slice.call(root.querySelectorAll(".cg-steps li"));
  var pos = root.querySelector(".cg-pos");
  var now = root.querySelector(".cg-now");
  var info = root.querySelector(".cg-info");
  var prev = root.querySelector(".cg-prev");
  var next = root.querySelector(".cg-next");
  var view = root.querySelector(".cg-view");
  var last = data.steps.length;
  var step = 0;
  var backward = false; // the forward figure, or the backward (dual) graph
  var picked = null;

  function known(id) { // the step that completes this node's gradient, or null
    for (var i = 0; i < data.steps.length; i++) {
      var s = data.steps[i];
      if (s.target === id && s.final) { return s.step; }
    }
    return null;
  }

  function show(k) {
    step = Math.max(0, Math.min(last, k));
    figure.innerHTML = svgAt(backward ? "b" : "f", step);
    figure.setAttribute("data-step", String(step));
    figure.setAttribute("data-view", backward ? "backward" : "forward");
    items.forEach(function (li) {
      li.classList.toggle("current", Number(li.getAttribute("data-step")) === step);
    });
    var current = items[step];
    if (current) { reveal(current); }
    pos.textContent = step === 0 ? say("p.pos0", {n: last}) : say("p.pos", {k: step, n: last});
    now.innerHTML = current ? current.querySelector(".say").innerHTML : "";
    prev.disabled = step === 0;
    next.disabled = step === last;
    if (picked) { pick(picked); }
  }

  function svgAt(view, k) { // step k's figure: the first one with this step's pieces swapped in
    var f = data.frames[view];
    var d = f.steps[k];
    if (d.all) { return d.all; }
    var parts = f.base.slice();
    Object.keys(d).forEach(function (i) { parts[Number(i)] = d[i]; });
    return parts.join("");
  }

  function reveal(li) { // scroll the step list only, never the page
    var side = root.querySelector(".cg-side");
    var top = li.offsetTop;
    if (top < side.scrollTop) { side.scrollTop = top; }
    else if (top + li.offsetHeight > side.scrollTop + side.clientHeight) {
      side.scrollTop = top + li.offsetHeight - side.clientHeight;
    }
  }

  function row(label, text) {
    var h = document.createElement("div");
    h.textContent = label;
    var p = document.createElement("pre");
    p.textContent = text;
    return [h, p];
  }

  function pick(id) {
    var n = data.nodes[id];
    if (!n) { return; }
    picked = id;
    info.innerHTML = "";
    var title = document.createElement("h3");
    title.textContent = n.label + "  (" + n.what + ")";
    info.appendChild(title);
    var parts = [];
    if (n.shape !== null) { parts = parts.concat(row(say("p.shape", {}), n.shape)); }
    if (n.value !== null) { parts = parts.concat(row(say("p.value", {}), n.value)); }
    if (n.grad_shape !== null) {
      var done = known(id);
      var status = done === null ? "" : say(step >= done ? "p.known" : "p.computed", {k: done});
      parts = parts.concat(row(say("p.grad.shape", {grad: n.grad_label}) + status,
                               n.grad_shape));
      if (n.grad !== null && done !== null && step >= done) {
        parts = parts.concat(row(n.grad_label, n.grad));
      }
    }
    parts.forEach(function (el) { info.appendChild(el); });
    figure.querySelectorAll("g.node").forEach(function (g) {
      g.classList.toggle("picked", nodeId(g) === id);
    });
  }

  function nodeId(g) { // a backward-graph node (∂W2, ∂mul2, ∂+W2) stands for its forward node
    var t = g.querySelector("title");
    if (!t) { return null; }
    var id = t.textContent;
    if (!data.nodes[id] && id.charAt(0) === "∂") { id = id.slice(1).replace(/^\+/, ""); }
    return id;
  }

  figure.addEventListener("click", function (e) {
    var g = e.target.closest ? e.target.closest("g.node") : null;
    if (g) { pick(nodeId(g)); e.preventDefault(); }
  });
  items.forEach(function (li) {
    li.addEventListener("click", function () { show(Number(li.getAttribute("data-step"))); });
  });
  prev.addEventListener("click", function () { show(step - 1); });
  view.addEventListener("click", function () {
    backward = !backward;
    view.setAttribute("aria-pressed", String(backward));
    view.textContent = say(backward ? "p.show.forward" : "p.show.backward", {});
    show(step);
  });
  next.addEventListener("click", function () { show(step + 1); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") { show(step + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { show(step - 1); e.preventDefault(); }
    else if (e.key === "Home") { show(0); e.preventDefault(); }
    else if (e.key === "End") { show(last); e.preventDefault(); }
  });
  show(0);
})();
