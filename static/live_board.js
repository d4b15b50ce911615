// The live boundary: paints the film strip's uint8 frames (app_logic/frames.py) on a canvas.
// The server sends states of the network; this only colours cells, at the display's rate.
//
// A message is [u32 header length][JSON header][blobs]. The header names its "style" (the
// picture's axes, legend, colour bar and points, sent once and kept here by id) and carries
// the frames' epochs and metrics; the "frames" blob is zlib data of the frames, each after
// the first as its difference from the one before.

// The shared message reader, at this file's own version (the app names the version in the
// address it loads this file from, so a browser never mixes a new file with an old one).
const { parse, inflate } = await import(
  new URL(`components_message.js${new URL(import.meta.url).search}`, import.meta.url).href);

const STYLES = (window.__liveBoardStyles ||= new Map());
const MAX_QUEUE = 48; // frames waiting beyond this are dropped, oldest first
const WORDS_EVERY = 100; // ms: the metrics row and the description follow the frames 10 times a second
const MAX_TAPS = 32; // taps kept in the board's state until the server has read them
const MAX_STYLES = 8; // pictures kept (a drawing makes one per point); older ones are asked for again

function keepStyle(id, style) {
  STYLES.delete(id);
  STYLES.set(id, style);
  for (const old of STYLES.keys()) {
    if (STYLES.size <= MAX_STYLES) break;
    STYLES.get(old).background.close?.();
    STYLES.get(old).points.close?.();
    STYLES.delete(old);
  }
}


async function bitmap(bytes) {
  return createImageBitmap(new Blob([bytes], { type: "image/png" }));
}

async function readStyle(header, blob) {
  const style = { ...header.style_info };
  style.background = await bitmap(blob("background"));
  style.points = await bitmap(blob("points"));
  return style;
}

function splitFrames(data, header) {
  const size = header.shape.reduce((a, b) => a * b, 1);
  const frames = [];
  let previous = null;
  header.epochs.forEach((epoch, i) => {
    const cells = data.slice(i * size, (i + 1) * size);
    if (previous) for (let j = 0; j < size; j++) cells[j] = (cells[j] + previous[j]) & 255;
    previous = cells;
    frames.push({ epoch, cells, metrics: header.metrics[i], style: header.style_id,
                  discretize: !!header.discretize, shape: header.shape, id: header.id,
                  label: header.label });
  });
  return frames;
}

// RGBA pixels of a frame, row 0 at the top (the frame's row 0 is the lowest y).
function colour(frame, style, pixels) {
  const [rows, cols, k = 1] = frame.shape;
  const lut = style.lut, tints = style.tints;
  for (let r = 0; r < rows; r++) {
    const out = (rows - 1 - r) * cols * 4;
    for (let c = 0; c < cols; c++) {
      const cell = (r * cols + c) * k, o = out + c * 4;
      let red, green, blue;
      if (k === 1) {
        let v = frame.cells[cell];
        if (frame.discretize) v = v >= 128 ? 255 : 0;
        red = lut[3 * v]; green = lut[3 * v + 1]; blue = lut[3 * v + 2];
      } else {
        let total = 0, best = 0;
        for (let j = 0; j < k; j++) {
          total += frame.cells[cell + j];
          if (frame.cells[cell + j] > frame.cells[cell + best]) best = j;
        }
        red = green = blue = 0;
        for (let j = 0; j < k; j++) {
          const w = frame.discretize ? (j === best ? 1 : 0)
            : frame.cells[cell + j] / Math.max(total, 1e-9);
          red += w * tints[j][0]; green += w * tints[j][1]; blue += w * tints[j][2];
        }
        red = Math.round(red); green = Math.round(green); blue = Math.round(blue);
      }
      pixels[o] = red; pixels[o + 1] = green; pixels[o + 2] = blue; pixels[o + 3] = 255;
    }
  }
}

// The metrics beside the picture show the frame on screen (Streamlit drew them for the last).
// The board remembers what it wrote into each value: a value that differs was written by a
// run of the page since, newer than the frames still queued, and the board leaves the row
// alone (returns false) until its next message.
function metricBoxes() {
  return [...document.querySelectorAll(".st-key-pg_metrics [data-testid='stMetric']")].map(
    (box) => [box.querySelector("[data-testid='stMetricLabel']"),
              box.querySelector("[data-testid='stMetricValue']")]).filter(([l, v]) => l && v);
}

function adoptMetrics() {
  for (const [, value] of metricBoxes()) value.boardText = value.textContent;
}

function showMetrics(metrics) {
  if (!metrics) return true;
  const boxes = metricBoxes();
  if (boxes.some(([, v]) => v.boardText !== undefined && v.textContent !== v.boardText)) {
    return false;
  }
  for (const [label, value] of boxes) {
    const text = metrics[label.textContent.trim()]; // textContent: no layout
    if (text === undefined) continue;
    const node = document.createTreeWalker(value, NodeFilter.SHOW_TEXT).nextNode();
    if (node && node.nodeValue !== text) node.nodeValue = text;
    value.boardText = value.textContent;
  }
  return true;
}

// The picture's words (legend, axis titles, colour bar title), written with the page's own
// fonts: the server's picture has none, since its font may lack the language's characters.
function writeLabels(context, style) {
  const family = getComputedStyle(document.body).fontFamily || "sans-serif";
  context.save();
  context.fillStyle = "#222222";
  context.font = `${style.font_size || 13}px ${family}`;
  for (const label of style.labels || []) {
    context.save();
    context.translate(label.x, label.y);
    if (label.rotate) context.rotate(-Math.PI / 2);
    context.textAlign = label.align;
    context.textBaseline = label.baseline === "bottom" ? "alphabetic" : label.baseline;
    context.fillText(label.text, 0, label.baseline === "bottom" ? -2 : 0);
    context.restore();
  }
  context.restore();
}

function describe(frame, style) {
  const m = frame.metrics || {};
  const words = style.words || {};  // the metrics' names in the page's language
  const epoch = m[words.epoch || "Epoch"] ?? frame.epoch;
  const parts = [`${style.title}, ${(words.epoch_at || "epoch {epoch}").replace("{epoch}", epoch)}`];
  for (const name of words.described || ["Test accuracy", "Test loss"]) if (m[name] !== undefined) {
    parts.push(`${name.toLowerCase()} ${m[name]}`);
  }
  return parts.join(", ");
}

class Board {
  constructor(parent) {
    this.root = document.createElement("div");
    this.root.className = "live-board";
    this.root.setAttribute("role", "img");
    this.root.setAttribute("aria-label", "Decision boundary");
    this.root.dataset.frames = "0";
    this.root.dataset.epoch = "";
    this.canvas = document.createElement("canvas");
    this.canvas.className = "live-board-canvas";
    this.root.appendChild(this.canvas);
    parent.appendChild(this.root);
    this.grid = document.createElement("canvas");
    this.queue = [];
    this.lastId = null;
    this.chain = Promise.resolve();
    this.shown = null;
    this.asked = new Map(); // style id -> time it was asked for
    this.taps = [];
    this.token = Math.random().toString(36).slice(2);
    this.period = 1000 / 60;
    this.nextDue = 0;
    this.lastMessage = 0;
    this.received = 0; // messages received, and the last paused one among them
    this.clearedAt = 0;
    this.metricsHeld = false; // the page wrote newer metrics than the queued frames'
    this.wordsAt = -Infinity; // when the metrics row and the description were last written
    this.canvas.addEventListener("pointerdown", (event) => this.pointer(event));
    const loop = (now) => {
      if (!this.root.isConnected) { this.running = false; return; }
      this.tick(now);
      requestAnimationFrame(loop);
    };
    this.running = true;
    requestAnimationFrame(loop);
  }

  receive(bytes) {
    const { header, blob } = parse(bytes);
    if (header.id === this.lastId) return;
    this.lastId = header.id;
    this.mode = header.mode || "view";
    // The metrics row follows the board that received the latest view: after a run of the
    // whole page Streamlit may keep the replaced board beside the new one for a while (as it
    // keeps a replaced button), and its queue of older frames must not write their epochs.
    if (this.mode === "view") {
      window.__liveBoardCurrent = this;
      adoptMetrics(); // what the page shows now is the baseline
      this.metricsHeld = false;
    }
    this.root.classList.toggle("drawing", this.mode === "draw");
    const now = performance.now();
    if (this.lastMessage && header.playing) { // frames of a message span until the next:
      // the time since the last one, but no more than the server's timer ("span"), since a
      // late message (the page was busy) must not slow its frames down to fewer than the
      // display shows (a class ticks up to every 1.5 s)
      const gap = Math.min(now - this.lastMessage, 1000 * (header.span || 2));
      this.period = Math.max(1000 / 60, Math.min(0.8 * gap / header.epochs.length, 500));
    } else if (!header.playing) {
      this.period = 1000 / 60;
    }
    this.lastMessage = now;
    const network = blob("network"); // the diagram's update, sent with the tick
    const diagram = window.__liveNetworkCurrent;
    if (network && diagram?.root.isConnected) diagram.receive(network);
    // A paused or finished state replaces the queue at once, before the message is read:
    // an older frame painted meanwhile would write its epoch over the page's new metrics.
    const order = ++this.received;
    if (!header.playing) { this.queue = []; this.clearedAt = order; }
    this.chain = this.chain.then(async () => {
      if (blob("background")) keepStyle(header.style_id, await readStyle(header, blob));
      const frames = splitFrames(await inflate(blob("frames")), header);
      if (order < this.clearedAt) return; // frames older than a paused state that came later
      // A paused or finished state shows at once; while playing, the board stays at most
      // two messages behind (older frames are dropped, the order is kept).
      if (!header.playing) this.queue = [];
      this.queue.push(...frames);
      const keep = Math.min(MAX_QUEUE, 2 * frames.length + 2);
      if (this.queue.length > keep) this.queue.splice(0, this.queue.length - keep);
      if (!header.playing) this.nextDue = 0;
    }).catch((error) => console.warn("live board: a message could not be read", error));
  }

  tick(now) {
    if (!this.queue.length || now < this.nextDue) return;
    const frame = this.queue[0];
    const style = STYLES.get(frame.style);
    if (!style) return this.ask(frame.style, now);
    this.queue.shift();
    this.paint(frame, style);
    // On the period's beat, not from this frame: after a late display frame the next comes
    // early to catch up with the display, and it must not be skipped.
    this.nextDue = Math.max(this.nextDue + this.period, now + this.period / 2);
  }

  ask(styleId, now) {
    const asked = this.asked.get(styleId);
    if (asked !== undefined && now - asked < 2000) return;
    this.asked.set(styleId, now);
    this.setTrigger?.("missing", styleId);
  }

  paint(frame, style) {
    const [rows, cols] = frame.shape;
    if (this.grid.width !== cols || this.grid.height !== rows) {
      this.grid.width = cols; this.grid.height = rows;
    }
    const gridContext = this.grid.getContext("2d");
    const image = gridContext.createImageData(cols, rows);
    colour(frame, style, image.data);
    gridContext.putImageData(image, 0, 0);
    if (this.canvas.width !== style.width || this.canvas.height !== style.height) {
      this.canvas.width = style.width; this.canvas.height = style.height;
      this.root.style.maxWidth = `${style.width}px`;
      this.painted = null; // a resized canvas is blank
    }
    const context = this.canvas.getContext("2d");
    const [left, top, width, height] = style.box;
    if (this.painted !== style) { // the axes, legend and colour bar change with the style only
      this.root.dataset.box = style.box.join(","); // the plotted area, in canvas pixels
      context.drawImage(style.background, 0, 0);
      writeLabels(context, style);
      this.painted = style;
    }
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = "low"; // bilinear, as the server's pictures are
    context.drawImage(this.grid, left, top, width, height);
    context.drawImage(style.points, left, top, width, height);
    this.shown = { frame, style };
    this.root.dataset.frames = String(Number(this.root.dataset.frames) + 1);
    this.root.dataset.epoch = String(frame.epoch);
    // The words follow at most WORDS_EVERY (and always for the last frame queued): new text
    // in the metrics row costs the page a layout, and at 60 a second nobody reads it.
    const now = performance.now();
    if (this.queue.length && now - this.wordsAt < WORDS_EVERY) return;
    this.wordsAt = now;
    this.root.setAttribute("aria-label", frame.label || describe(frame, style));
    if (window.__liveBoardCurrent === this && !this.metricsHeld) {
      this.metricsHeld = !showMetrics(frame.metrics);
    }
  }

  // A press on the plotted area while drawing adds a tap: its data coordinates. The board
  // keeps its latest taps as its state, so taps made while the server is busy all arrive.
  pointer(event) {
    if (this.mode !== "draw" || !this.shown) return;
    const { style } = this.shown;
    const rect = this.canvas.getBoundingClientRect();
    const u = (event.clientX - rect.left) * this.canvas.width / rect.width;
    const v = (event.clientY - rect.top) * this.canvas.height / rect.height;
    const [left, top, width, height] = style.box;
    const [x0, x1, y0, y1] = style.range;
    if (u < left || u > left + width || v < top || v > top + height) return;
    event.preventDefault();
    this.taps.push({
      board: this.token, n: this.taps.length ? this.taps[this.taps.length - 1].n + 1 : 1,
      x: x0 + (u - left) / width * (x1 - x0), y: y1 - (v - top) / height * (y1 - y0),
    });
    this.taps = this.taps.slice(-MAX_TAPS);
    this.setState?.("taps", this.taps);
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let board = parentElement.__liveBoard;
  if (!board || !board.root.isConnected) board = parentElement.__liveBoard = new Board(parentElement);
  board.setTrigger = setTriggerValue;
  board.setState = component.setStateValue;
  if (data) board.receive(data instanceof Uint8Array ? data : new Uint8Array(data));
}
