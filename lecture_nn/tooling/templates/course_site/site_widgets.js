/* Live widgets of the static course site (lecture_nn.tooling._site_widgets).
 *
 * Each <figure class="lnn-widget"> holds HTML controls, an <img> and its frames as JSON
 * (<script type="application/json" class="lnn-data">): the frame files, one
 * [image, alt text, long description or ""] per frame, and the frame of every combination
 * of control values (row-major, first control slowest). Moving a control shows the frame of the new values:
 * the image is decoded first, then swapped in with its alt text, so the page never shows a
 * half-loaded figure. Once a widget comes near the viewport (or gets the focus), and after
 * every change, the frames one change away are fetched and decoded ahead, never the whole
 * grid. Nothing leaves the site: the frames are the site's own files, which also works
 * from file://.
 *
 * After each swap the figure dispatches "lnn-frame" with detail {frame, latency}: latency is
 * the time from the control's input event until the decoded new image has been painted
 * (the start of the second animation frame after the swap; the browser tests print it).
 */
(function () {
  "use strict";
  if (window.lectureNnWidgets) {
    return;
  }
  var PRELOAD_AT_ONCE = 4;

  function Widget(figure) {
    this.figure = figure;
    this.data = JSON.parse(figure.querySelector("script.lnn-data").textContent);
    this.img = figure.querySelector("img.lnn-frame");
    this.details = figure.querySelector("details.course-figure-description");
    this.description = this.details && this.details.querySelector("p");
    this.inputs = Array.prototype.slice.call(figure.querySelectorAll("[data-control]"));
    this.loaded = {}; /* image index -> Promise of a decoded Image */
    this.pending = 0; /* frames being fetched and decoded */
    this.token = 0;
    var self = this;
    figure.addEventListener("focusin", function () { self.preload(); });
    this.inputs.forEach(function (input) {
      var kind = input.type === "checkbox" || input.tagName === "SELECT" ? "change" : "input";
      input.addEventListener(kind, function (event) {
        self.show(event.timeStamp);
      });
    });
  }

  Widget.prototype.url = function (image) {
    return this.data.base + this.data.images[image];
  };

  Widget.prototype.load = function (image) {
    if (!this.loaded[image]) {
      var picture = new Image();
      var self = this;
      function done() {
        self.pending -= 1;
        return picture;
      }
      this.pending += 1;
      picture.src = this.url(image);
      this.loaded[image] = picture.decode().then(done, done);
    }
    return this.loaded[image];
  };

  Widget.prototype.position = function (input) {
    var index = Number(input.getAttribute("data-control"));
    if (input.type === "checkbox") {
      /* the values are in the order [false, true] */
      return input.checked ? this.data.sizes[index] - 1 : 0;
    }
    return Number(input.value);
  };

  Widget.prototype.positions = function () {
    var self = this;
    return this.inputs.map(function (input) { return self.position(input); });
  };

  Widget.prototype.frameAt = function (positions) {
    var flat = 0;
    for (var i = 0; i < positions.length; i++) {
      flat = flat * this.data.sizes[i] + positions[i];
    }
    return this.data.grid[flat];
  };

  Widget.prototype.frame = function () {
    return this.frameAt(this.positions());
  };

  Widget.prototype.readouts = function () {
    var self = this;
    this.inputs.forEach(function (input) {
      if (input.type !== "range") {
        return;
      }
      var index = Number(input.getAttribute("data-control"));
      var text = self.data.labels[index][Number(input.value)];
      input.setAttribute("aria-valuetext", text);
      var output = input.parentNode.querySelector("output");
      if (output) {
        output.textContent = text;
      }
    });
  };

  Widget.prototype.show = function (since) {
    var frame = this.frame();
    var pair = this.data.frames[frame];
    var token = ++this.token;
    var self = this;
    this.readouts();
    var shown = this.load(pair[0]);
    this.preload();
    shown.then(function (picture) {
      if (token !== self.token) {
        return; /* a later change overtook this one */
      }
      self.img.src = picture.src; /* decoded already: the same image resource */
      self.img.alt = pair[1];
      self.describe(pair[2]);
      self.img.setAttribute("data-frame", String(frame));
      /* The first animation frame paints the new image; the second starts after it. */
      window.requestAnimationFrame(function () {
        window.requestAnimationFrame(function () {
          var latency = Math.max(0, performance.now() - since);
          self.figure.dispatchEvent(new CustomEvent("lnn-frame", {
            detail: {frame: frame, latency: latency}
          }));
        });
      });
    });
  };

  /* The whole description under the figure when the alt text holds only its first clause. */
  Widget.prototype.describe = function (text) {
    if (!this.details) {
      return;
    }
    this.description.textContent = text;
    this.details.hidden = !text;
    if (text) {
      this.img.setAttribute("aria-describedby", this.description.id);
    } else {
      this.img.removeAttribute("aria-describedby");
    }
  };

  /* Fetch and decode, a few at a time, the frames one control change away from the
     current values: at most the sum of the controls' sizes, never the whole grid. */
  Widget.prototype.preload = function () {
    var current = this.positions();
    var queue = [];
    for (var i = 0; i < current.length; i++) {
      for (var p = 0; p < this.data.sizes[i]; p++) {
        var positions = current.slice();
        positions[i] = p;
        var image = this.data.frames[this.frameAt(positions)][0];
        if (!this.loaded[image] && queue.indexOf(image) < 0) {
          queue.push(image);
        }
      }
    }
    var self = this;
    function next() {
      var image = queue.shift();
      if (image !== undefined) {
        self.load(image).then(next);
      }
    }
    for (var n = 0; n < PRELOAD_AT_ONCE; n++) {
      next();
    }
  };

  function start() {
    var widgets = Array.prototype.map.call(
      document.querySelectorAll("figure.lnn-widget"),
      function (figure) { return new Widget(figure); }
    );
    window.lectureNnWidgets = widgets;
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            widgets.filter(function (w) { return w.figure === entry.target; })
              .forEach(function (w) { w.preload(); });
          }
        });
      }, {rootMargin: "100% 0px"});
      widgets.forEach(function (w) { observer.observe(w.figure); });
    } else {
      widgets.forEach(function (w) { w.preload(); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
