// The network diagram: layers of neurons, each a button holding a canvas with its own map,
// joined by links (an SVG) coloured by the weight's sign and sized by its magnitude.
// The server sends the network (app_logic/network_message.py); this only lays it out and
// colours the maps' cells. Every word shown comes from the server (it is translated there).
//
// A message is [u32 header length][JSON header][blobs], as the live board's.

const SVG = "http://www.w3.org/2000/svg";
const MARGIN = { left: 10, right: 10, top: 6, bottom: 54 }; // the bottom holds two lines of text
const BOX = 0.62; // a map's side, in distances between two nodes of a layer
const NODE_MAX = 40; // pixels a node's side may reach

// The shared message reader, at this file's own version (the app names the version in the
// address it loads this file from, so a browser never mixes a new file with an old one).
const { parse, inflate } = await import(
  new URL(`components_message.js${new URL(import.meta.url).search}`, import.meta.url).href);

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all));
}

function number(value) {
  return Number(value.toPrecision(3)).toString();
}

function element(name, attributes = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

// Per layer, per link: [layer, i, j] in the order of the weights blob (row-major (n_in, n_out)).
function linkIndex(sizes) {
  const links = [];
  for (let k = 0; k + 1 < sizes.length; k++) {
    for (let i = 0; i < sizes[k]; i++) for (let j = 0; j < sizes[k + 1]; j++) links.push([k, i, j]);
  }
  return links;
}

class Network {
  constructor(parent) {
    this.root = document.createElement("div");
    this.root.className = "live-network";
    this.root.dataset.updates = "0";
    this.root.dataset.epoch = "";
    this.svg = element("svg", { role: "img", class: "live-network-links" });
    this.root.appendChild(this.svg);
    this.nodes = document.createElement("div");
    this.nodes.className = "live-network-nodes";
    this.root.appendChild(this.nodes);
    parent.appendChild(this.root);
    this.lastId = null;
    this.structure = null;
    this.chain = Promise.resolve();
    // A click beside the neurons brings the boundary back (as a second click on the one shown).
    this.root.addEventListener("click", (event) => {
      if (!event.target.closest(".live-network-node")) this.setTrigger?.("click", []);
    });
    new ResizeObserver(() => this.current && this.layout()).observe(this.root);
  }

  receive(bytes) {
    const { header, blob } = parse(bytes);
    if (header.id === this.lastId) return;
    this.lastId = header.id;
    this.chain = this.chain.then(async () => {
      const maps = await inflate(blob("maps"));
      this.current = {
        header, maps, lut: blob("lut"),
        weights: new Float32Array(blob("weights").buffer),
        biases: new Float32Array(blob("biases").buffer),
        widths: blob("widths"),
      };
      this.draw();
    }).catch((error) => console.warn("live network: a message could not be read", error));
  }

  draw() {
    const { header } = this.current;
    const structure = JSON.stringify([header.sizes, header.words, header.height]);
    if (structure !== this.structure) {
      this.build();
      this.structure = structure;
    }
    this.layout();
    this.update();
    this.root.dataset.updates = String(Number(this.root.dataset.updates) + 1);
    this.root.dataset.epoch = String(header.epoch);
  }

  // The elements of a network of this shape: links, nodes, titles; values come in update().
  build() {
    const { header } = this.current;
    const { sizes, words } = header;
    this.svg.replaceChildren();
    this.nodes.replaceChildren();
    this.svg.setAttribute("aria-label", words.description);
    this.links = linkIndex(sizes).map(() => {
      const group = element("g", {}, this.svg);
      const line = element("line", { class: "link" }, group);
      const hit = element("line", { class: "link-hit" }, group); // easier to point at
      return { line, hit, title: element("title", {}, group) };
    });
    this.titles = sizes.map((n, k) => {
      const text = element("text", { class: "layer-title", "text-anchor": "middle" }, this.svg);
      words.titles[k].forEach((line, row) => {
        element("tspan", { x: 0, dy: row ? "1.15em" : 0 }, text).textContent = line;
      });
      return text;
    });
    this.inputLabels = words.inputs.slice(0, sizes[0]).map((label) => {
      const text = element("text", { class: "input-label", "text-anchor": "end" }, this.svg);
      text.textContent = label;
      return text;
    });
    this.activations = element("text", { class: "activations" }, this.svg);
    this.activations.textContent = words.activations;
    this.legend = ["positive", "negative"].map((sign) => ({
      swatch: element("line", { class: "legend-swatch", stroke: header.colours[sign] }, this.svg),
      text: Object.assign(element("text", { class: "legend" }, this.svg),
                          { textContent: words[sign] }),
    }));
    this.buttons = sizes.map((n, k) => Array.from({ length: n }, (_, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "live-network-node";
      const canvas = document.createElement("canvas");
      [canvas.height, canvas.width] = header.map_shape;
      button.appendChild(canvas);
      button.addEventListener("click", () => this.setTrigger?.("click", [k, i]));
      this.nodes.appendChild(button);
      return button;
    }));
  }

  // Positions in pixels for the root's width, as the Plotly figure placed them: layer k at
  // x = k over [-0.9, layers + 0.5], nodes centred on y = 0, top first.
  layout() {
    const { header } = this.current;
    const { sizes } = header;
    const width = Math.max(this.root.clientWidth, 200), height = header.height;
    this.root.style.height = `${height}px`;
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.svg.setAttribute("width", width);
    this.svg.setAttribute("height", height);
    const layers = sizes.length - 1, top = (Math.max(...sizes) - 1) / 2;
    const plotWidth = width - MARGIN.left - MARGIN.right;
    const plotHeight = height - MARGIN.top - MARGIN.bottom;
    const unitX = plotWidth / (layers + 1.4), unitY = plotHeight / (2 * top + 2.5);
    const X = (x) => MARGIN.left + (x + 0.9) * unitX;
    const Y = (y) => MARGIN.top + (top + 1.6 - y) * unitY;
    this.at = sizes.map((n, k) => Array.from({ length: n }, (_, i) => [X(k), Y((n - 1) / 2 - i)]));
    const side = Math.max(6, Math.min(BOX * unitY, BOX * unitX, NODE_MAX));
    linkIndex(sizes).forEach(([k, i, j], n) => {
      const [x1, y1] = this.at[k][i], [x2, y2] = this.at[k + 1][j];
      for (const line of [this.links[n].line, this.links[n].hit]) {
        line.setAttribute("x1", x1); line.setAttribute("y1", y1);
        line.setAttribute("x2", x2); line.setAttribute("y2", y2);
      }
    });
    const titleSize = Math.max(8, Math.min(layers <= 4 ? 13 : layers <= 6 ? 12 : 11, unitX / 5));
    this.titles.forEach((text, k) => {
      text.setAttribute("transform", `translate(${X(k)},${Y(top + 0.55) - 1.15 * titleSize})`);
      text.style.fontSize = `${titleSize}px`;
    });
    const labelSize = sizes[0] <= 8 ? 14 : 11;
    this.inputLabels.forEach((text, i) => {
      const [x, y] = this.at[0][i];
      text.setAttribute("x", x - side / 2 - 4); text.setAttribute("y", y);
      text.style.fontSize = `${labelSize}px`;
    });
    const textTop = height - MARGIN.bottom + 6;
    this.activations.setAttribute("x", MARGIN.left);
    this.activations.setAttribute("y", textTop + 12);
    let x = MARGIN.left;
    for (const { swatch, text } of this.legend) {
      const y = textTop + 34;
      swatch.setAttribute("x1", x); swatch.setAttribute("x2", x + 24);
      swatch.setAttribute("y1", y - 4); swatch.setAttribute("y2", y - 4);
      text.setAttribute("x", x + 30); text.setAttribute("y", y);
      x += 30 + text.getComputedTextLength() + 16;
    }
    this.buttons.forEach((layer, k) => layer.forEach((button, i) => {
      const [cx, cy] = this.at[k][i];
      Object.assign(button.style, { left: `${cx - side / 2}px`, top: `${cy - side / 2}px`,
                                    width: `${side}px`, height: `${side}px` });
    }));
  }

  // The values: links' colours, widths and titles, nodes' maps, labels and the selection.
  update() {
    const { header, weights, biases, widths, maps, lut } = this.current;
    const { sizes, words } = header;
    linkIndex(sizes).forEach(([k, i, j], n) => {
      const w = weights[n], link = this.links[n];
      link.line.setAttribute("stroke", header.colours[w >= 0 ? "positive" : "negative"]);
      link.line.setAttribute("stroke-width", header.widths[widths[n]]);
      link.title.textContent = fill(words.weight, { layer: k + 1, i, j, value: number(w) });
    });
    const [rows, columns] = header.map_shape, cells = rows * columns;
    const focus = header.focus || [];
    let bias = 0, at = 0;
    this.buttons.forEach((layer, k) => layer.forEach((button, i) => {
      const label = k === 0 ? fill(words.input_node, { label: words.inputs[i] ?? i })
        : fill(words.unit_node, { layer: words.layer_names[k], unit: i + 1,
                                  bias: number(biases[bias++]) });
      const text = `${label}. ${words.click}`;
      if (button.title !== text) { button.title = text; button.setAttribute("aria-label", text); }
      const selected = focus[0] === k && focus[1] === i;
      button.classList.toggle("selected", selected);
      button.setAttribute("aria-pressed", String(selected));
      paintMap(button.firstChild, maps.subarray(at, at + cells), rows, columns, lut);
      at += cells;
    }));
  }
}

// A map's cells in the colour scale; its row 0 is the lowest y, drawn at the bottom.
function paintMap(canvas, cells, rows, columns, lut) {
  const context = canvas.getContext("2d");
  const image = context.createImageData(columns, rows);
  for (let r = 0; r < rows; r++) {
    const out = (rows - 1 - r) * columns * 4;
    for (let c = 0; c < columns; c++) {
      const v = cells[r * columns + c], o = out + c * 4;
      image.data[o] = lut[3 * v]; image.data[o + 1] = lut[3 * v + 1];
      image.data[o + 2] = lut[3 * v + 2]; image.data[o + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let network = parentElement.__liveNetwork;
  if (!network || !network.root.isConnected) {
    network = parentElement.__liveNetwork = new Network(parentElement);
  }
  network.setTrigger = setTriggerValue;
  // While playing, the live board hands over the diagram's updates (they come with its
  // ticks); the data Streamlit holds is then older, so it is read only when it changes.
  window.__liveNetworkCurrent = network;
  if (data && data !== network.lastData) {
    network.lastData = data;
    network.receive(data instanceof Uint8Array ? data : new Uint8Array(data));
  }
}
