// The page of jitrun serve: an editor, the run options, four buttons and
// the results. Everything it shows comes from this server's JSON API
// (docs/serve.md); it fetches nothing else. Text from the API is put in
// the page as text (textContent), never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const LINE_HEIGHT = 18; // px, as style.css sets the editor's line height

const state = { examples: [], busy: false };

// el makes an element with text and children.
function el(tag, text, ...children) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  for (const c of children) e.appendChild(c);
  return e;
}

// ---- the editor: line numbers and markers beside a textarea ----

function codeLines() { return $("code").value.split("\n").length; }

function drawGutter() {
  const g = $("gutter");
  const n = codeLines();
  const marks = state.marks || new Map();
  g.textContent = "";
  for (let i = 1; i <= n; i++) {
    const d = el("div", String(i));
    d.dataset.line = String(i);
    const m = marks.get(i);
    if (m) { d.className = m.kind; d.title = m.message; }
    g.appendChild(d);
  }
  drawMarks();
}

function drawMarks() {
  const box = $("marks");
  box.textContent = "";
  const top = -$("code").scrollTop;
  for (const [line, m] of (state.marks || new Map())) {
    const d = el("div");
    d.className = m.kind;
    d.dataset.line = String(line);
    d.style.top = (4 + top + (line - 1) * LINE_HEIGHT) + "px";
    box.appendChild(d);
  }
  $("gutter").scrollTop = $("code").scrollTop;
}

// mark sets the editor's markers: a Map from line to {kind, message}.
function mark(marks) { state.marks = marks; drawGutter(); }

function scrollToLine(line) {
  const ta = $("code");
  const y = (line - 1) * LINE_HEIGHT;
  if (y < ta.scrollTop || y > ta.scrollTop + ta.clientHeight - 2 * LINE_HEIGHT) {
    ta.scrollTop = Math.max(0, y - ta.clientHeight / 2);
  }
  drawMarks();
}

// ---- the options, and the URL fragment that holds them ----

function options() {
  return {
    source: $("code").value,
    syntax: $("syntax").value,
    args: $("args").value.split("\n").map((s) => s.trim()).filter((s) => s !== ""),
    stdin: $("stdin").value,
    timeout: $("timeout").value.trim(),
    entry: $("entry").value.trim(),
    stack: $("stack").value.trim(),
  };
}

function setOptions(o) {
  $("code").value = o.source || "";
  $("syntax").value = ["go", "intel", "att"].includes(o.syntax) ? o.syntax : "auto";
  $("args").value = (o.args || []).join("\n");
  $("stdin").value = o.stdin || "";
  $("timeout").value = o.timeout || "1s";
  $("entry").value = o.entry || "";
  $("stack").value = o.stack || "";
  mark(new Map());
}

// The fragment: #do=run&code=…&syntax=…&arg=…&arg=…&stdin=…&timeout=…
function fragment(action) {
  const o = options();
  const p = new URLSearchParams();
  p.set("do", action);
  p.set("code", o.source);
  p.set("syntax", o.syntax);
  for (const a of o.args) p.append("arg", a);
  for (const k of ["stdin", "timeout", "entry", "stack"]) if (o[k]) p.set(k, o[k]);
  return "#" + p.toString();
}

function readFragment() {
  if (location.hash.length < 2) return null;
  const p = new URLSearchParams(location.hash.slice(1));
  if (!p.has("code")) return null;
  return {
    action: p.get("do") || "",
    options: {
      source: p.get("code"), syntax: p.get("syntax") || "auto", args: p.getAll("arg"),
      stdin: p.get("stdin") || "", timeout: p.get("timeout") || "1s",
      entry: p.get("entry") || "", stack: p.get("stack") || "",
    },
  };
}

// ---- the API ----

async function api(path, body) {
  const r = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body), credentials: "same-origin",
  });
  const text = await r.text();
  let doc;
  try { doc = JSON.parse(text); } catch (e) { doc = { error: text || r.statusText }; }
  if (!r.ok) throw new Error(doc.error || r.status + " " + r.statusText);
  return doc;
}

function runBody(o, extra) {
  const b = { source: o.source, syntax: o.syntax, args: o.args, stdin: o.stdin, timeout: o.timeout };
  if (o.entry) b.entry = o.entry;
  if (o.stack) b.stack = o.stack;
  return Object.assign(b, extra || {});
}

// ---- results ----

function setStatus(text, busy) {
  $("status").textContent = text;
  $("status").className = busy ? "status busy" : "status";
}

function section(title, ...children) {
  const d = el("div");
  d.appendChild(el("h2", title));
  for (const c of children) d.appendChild(c);
  $("result").appendChild(d);
  return d;
}

function table(head, rows, markedRow) {
  const t = el("table");
  const tr = el("tr");
  for (const h of head) tr.appendChild(el("th", h));
  t.appendChild(tr);
  rows.forEach((row, i) => {
    const r = el("tr");
    if (i === markedRow) r.className = "marked";
    for (const c of row) r.appendChild(el("td", c === null || c === undefined ? "" : String(c)));
    t.appendChild(r);
  });
  const box = el("div", null, t);
  box.className = "scroll";
  return box;
}

// showErrors lists {"errors": [...]} and marks their lines.
function showErrors(doc) {
  const marks = new Map();
  const list = el("div");
  list.className = "errors";
  for (const e of doc.errors) {
    list.appendChild(el("div", `${e.file}:${e.line}:${e.col}: ${e.message}`));
    if (e.file === "prog.s" && !marks.has(e.line)) marks.set(e.line, { kind: "error", message: e.message });
  }
  if (doc.detail) list.appendChild(el("pre", doc.detail));
  mark(marks);
  section(doc.errors.length === 1 ? "Error" : "Errors", list);
  if (doc.errors.length > 0) scrollToLine(doc.errors[0].line);
}

// lineAt is the source line whose bytes hold code offset off, from the
// listing of /api/asm.
function lineAt(listing, off) {
  if (!listing || off === null || off === undefined) return 0;
  for (const l of listing.lines || []) {
    const n = (l.bytes || "").length / 2;
    if (n > 0 && off >= l.offset && off < l.offset + n) return l.line;
  }
  return 0;
}

const SIGNAL_WORDS = {
  SIGSEGV: "a memory access the page protections refuse",
  SIGBUS: "a memory access the hardware cannot do (a misaligned or non-canonical address)",
  SIGILL: "an instruction the CPU refuses (invalid, privileged, or not on this CPU)",
  SIGFPE: "an arithmetic fault (division by zero, or a quotient too large)",
  SIGTRAP: "a breakpoint or debug trap",
  SIGSYS: "a system call jitrun refuses",
};
const CODE_WORDS = {
  SEGV_MAPERR: "nothing is mapped at that address",
  SEGV_ACCERR: "the page is mapped but does not allow this access",
  SEGV_PKUERR: "a protection key forbids it",
};

// faultWords says a fault of run --json in words.
function faultWords(f, line) {
  const parts = [];
  parts.push(`The code faulted: ${SIGNAL_WORDS[f.signal] || f.signal}`);
  if (f.syscall) {
    const args = (f.syscall.args || []).join(", ");
    parts.push(`: ${f.syscall.name}(${args})${f.syscall.reason ? " — " + f.syscall.reason : ""}`);
  } else if (f.access) {
    parts.push(`: ${f.access === "exec" ? "executing" : f.access === "write" ? "writing to" : "reading from"} ${f.addr}`);
    if (CODE_WORDS[f.code]) parts.push(`, where ${CODE_WORDS[f.code]}`);
  }
  parts.push(`. (${f.signal} ${f.code}, trap ${f.trap}, error code ${f.error_code})`);
  let where = f.offset === null || f.offset === undefined ? `at ${f.pc}, outside the code` : `at offset ${f.offset}`;
  if (line) where += `, line ${line}`;
  if (f.instruction) where += `: ${f.instruction}`;
  const d = el("div");
  d.className = "fault-words";
  d.appendChild(el("div", parts.join("")));
  d.appendChild(el("div", where));
  return d;
}

const GPRS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];
const ARG_REGS = ["rdi", "rsi", "rdx", "rcx", "r8", "r9"];

// startRegs is what the general registers held at the call: the
// integer arguments and the memory arguments' addresses, zero elsewhere.
function startRegs(args, doc) {
  const start = {};
  for (const r of GPRS) start[r] = 0n;
  const mem = new Map((doc.memargs || []).map((m) => [m.arg, m]));
  let i = 0;
  for (const a of args) {
    if (i >= ARG_REGS.length) break;
    let v = null;
    if (mem.has(a)) v = BigInt(mem.get(a).addr);
    else if (/^[+-]?(0x[0-9a-f_]+|0b[01_]+|0o[0-7_]+|[0-9_]+)$/i.test(a)) {
      // An integer in any of Go's spellings (run reads it with base 0):
      // 42, 0x2a, 0b101, 0o17, 017 (octal), 1_000.
      try {
        const neg = a.startsWith("-");
        let digits = a.replace(/^[+-]/, "").replace(/_/g, "");
        if (/^0[0-7]+$/.test(digits)) digits = "0o" + digits.slice(1);
        v = BigInt(digits);
        if (neg) v = (1n << 64n) - v;
      } catch (e) { v = null; }
    } else if (/:/.test(a)) v = null; // a memory argument without its report
    else continue; // a float goes to an XMM register
    if (v !== null) start[ARG_REGS[i]] = v & ((1n << 64n) - 1n);
    i++;
  }
  return start;
}

function showRegs(doc, args) {
  if (!doc.regs) return;
  const start = startRegs(args, doc);
  const rows = [];
  for (const r of GPRS) {
    const v = BigInt(doc.regs[r]);
    if (v !== start[r]) rows.push([r, doc.regs[r], "0x" + start[r].toString(16)]);
  }
  if (rows.length === 0) section("Changed registers", el("p", "none"));
  else section("Changed registers", table(["register", "now", "at the call"], rows));
}

function showOutput(doc) {
  const streams = [["stdout", "Output"], ["stderr", "Standard error"]];
  for (const [k, title] of streams) {
    let text = doc[k];
    if (doc[k + "_base64"]) text = `(not UTF-8: ${atob(doc[k + "_base64"]).length} bytes, base64) ` + doc[k + "_base64"];
    if (doc[k + "_cut_bytes"]) text += `\n… ${doc[k + "_cut_bytes"]} more bytes were cut`;
    if (text) section(title, el("pre", text));
  }
}

function showListing(listing, markedLine) {
  if (!listing || !listing.lines) return;
  let marked = -1;
  const rows = listing.lines.map((l, i) => {
    if (l.line === markedLine && marked < 0) marked = i;
    return [l.line, "0x" + l.offset.toString(16), (l.bytes || "").replace(/(..)/g, "$1 ").trim(), l.text];
  });
  section("Listing", table(["line", "offset", "bytes", "source"], rows, marked));
}

function showTrace(doc) {
  if (!doc.steps) return;
  const rows = doc.steps.map((s) => {
    const ch = [];
    for (const r of s.regs || []) ch.push(`${r.name} ${r.old} → ${r.new}`);
    for (const f of s.flags || []) ch.push(typeof f === "string" ? f : `${f.name} ${f.old} → ${f.new}`);
    for (const m of s.mem || []) ch.push(`${m.operand} ${m.before} → ${m.after}`);
    if (s.folded) ch.push(`(${s.folded} folded)`);
    return [s.n, s.where || s.offset, s.line || "", s.text, ch.join(", ")];
  });
  section(`Trace (${doc.steps.length} steps, stopped: ${doc.stopped})`, table(["#", "where", "line", "instruction", "changed"], rows));
}

function showRun(doc, listing, o) {
  $("result").textContent = "";
  if (doc.errors) { showErrors(doc); setStatus("The source does not assemble."); return; }
  const marks = new Map();
  let line = 0;
  if (doc.broken) {
    const d = el("div", "jitrun's child died: " + doc.broken);
    d.className = "fault-words";
    section("Broken", d);
    setStatus(doc.timeout ? "Killed at the deadline." : "The child died.");
  } else if (doc.fault) {
    line = lineAt(listing, doc.fault.offset);
    if (line) marks.set(line, { kind: "fault", message: doc.fault.signal + " " + doc.fault.code });
    section("Fault", faultWords(doc.fault, line));
    setStatus("The code faulted" + (line ? " at line " + line : "") + ".");
  } else if (doc.timeout) {
    const off = doc.regs ? doc.regs.rip : "";
    section("Timeout", el("p", `The code ran past its timeout (${o.timeout || "1s"}) and was stopped at ${off}.`));
    setStatus("Timed out.");
  } else if (doc.rax !== null && doc.rax !== undefined) {
    const rax = BigInt.asUintN(64, BigInt(doc.regs ? doc.regs.rax : doc.rax));
    const v = el("div", `rax = ${doc.rax} (0x${rax.toString(16)})`);
    v.className = "value";
    v.id = "rax";
    const box = el("div", null, v);
    if (doc.rdx !== 0) box.appendChild(el("div", `rdx = ${doc.rdx}`));
    if (doc.xmm0 !== 0) box.appendChild(el("div", `xmm0 = ${doc.xmm0}`));
    section("Result", box);
    setStatus(`Returned in ${(doc.duration_ns / 1e6).toFixed(3)} ms.`);
  }
  mark(marks);
  if (line) scrollToLine(line);
  showRegs(doc, o.args);
  showOutput(doc);
  if (doc.memargs) {
    section("Memory arguments", table(["arg", "reg", "addr", "bytes"],
      doc.memargs.map((m) => [m.arg, m.reg, m.addr, (m.hex || "").replace(/(..)/g, "$1 ").trim()])));
  }
  showTrace(doc);
  if (doc.breaks && doc.breaks.length) section("Breakpoint hits", el("pre", JSON.stringify(doc.breaks, null, 2)));
  showListing(listing, line);
}

// ---- the buttons ----

async function act(action) {
  if (state.busy) return;
  state.busy = true;
  const o = options();
  history.replaceState(null, "", fragment(action));
  $("share").href = location.href;
  setStatus(action + "…", true);
  try {
    if (action === "run" || action === "trace") {
      const [doc, listing] = await Promise.all([
        api("/api/run", runBody(o, action === "trace" ? { trace: true } : {})),
        api("/api/asm", { source: o.source, syntax: o.syntax }).catch(() => null),
      ]);
      showRun(doc, listing && listing.lines ? listing : null, o);
    } else if (action === "bench") {
      await bench(o);
    } else if (action === "disasm") {
      await disasm(o);
    }
  } catch (e) {
    $("result").textContent = "";
    section("Request refused", el("p", e.message));
    setStatus("The server refused the request.");
  } finally {
    state.busy = false;
  }
}

async function bench(o) {
  const doc = await api("/api/bench", { source: o.source, syntax: o.syntax });
  $("result").textContent = "";
  if (doc.errors) { showErrors(doc); setStatus("The kernel did not run."); return; }
  if (doc.broken) { section("Broken", el("p", doc.broken)); setStatus("The child died."); return; }
  mark(new Map());
  const rows = doc.kernels.map((k) => [k.name, k.cycles.toFixed(2), k.ns.toFixed(3), k.min.toFixed(2), k.median.toFixed(2), k.max.toFixed(2), k.unroll, k.loop, k.samples]);
  section("Bench (cycles per copy of the kernel)", table(["kernel", "cycles", "ns", "min", "median", "max", "unroll", "loop", "samples"], rows));
  const r = await fetch("/api/chart", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(doc), credentials: "same-origin" });
  if (r.ok) {
    const img = el("img");
    img.id = "chart";
    img.alt = "bench chart";
    img.src = URL.createObjectURL(await r.blob());
    section("Chart", img);
  }
  setStatus(`Measured with the ${doc.clock} clock.`);
}

async function disasm(o) {
  const listing = await api("/api/asm", { source: o.source, syntax: o.syntax });
  $("result").textContent = "";
  if (listing.errors) { showErrors(listing); setStatus("The source does not assemble."); return; }
  mark(new Map());
  const syntax = listingSyntax(o.syntax, listing);
  const doc = await api("/api/disasm", { hex: listing.code, syntax });
  const rows = doc.rows.map((r) => [r.addr, (r.labels || []).join(" "), r.bytes.replace(/(..)/g, "$1 ").trim(), r.text, r.note]);
  section(`Disassembly (${doc.size} bytes, ${doc.syntax} syntax)`, table(["addr", "labels", "bytes", "instruction", "note"], rows));
  showListing(listing, 0);
  setStatus("Listed.");
}

// listingSyntax is the syntax to list the code in: the one chosen, or for
// auto the one jitrun detects (asm.DetectSyntax) — AT&T when the source
// names a %register, Intel when the first instruction is in lower case
// (.intel_syntax and BITS 64 come first in such sources and have no
// bytes), Go otherwise.
function listingSyntax(chosen, listing) {
  if (chosen !== "auto") return chosen;
  const lines = listing.lines || [];
  if (lines.some((l) => /%[a-z]/.test((l.text || "").replace(/(#|;|\/\/).*$/, "")))) return "att";
  for (const l of lines) {
    if (!l.bytes) continue;
    const text = l.text.trim().replace(/^[\w.$]+:\s*/, "");
    return /^[a-z]/.test(text) ? "intel" : "go";
  }
  return "go";
}

// ---- examples ----

async function loadExamples() {
  const r = await fetch("/api/examples", { credentials: "same-origin" });
  if (!r.ok) return;
  state.examples = await r.json();
  const sel = $("example");
  state.examples.forEach((ex, i) => {
    ex.runs.forEach((run, j) => {
      const o = el("option", `${ex.file}${run.entry ? " --entry " + run.entry : ""}${run.args.length ? " " + run.args.join(" ").slice(0, 40) : ""}`);
      o.value = i + "/" + j;
      o.title = ex.summary;
      sel.appendChild(o);
    });
  });
}

function chooseExample() {
  const v = $("example").value;
  if (!v) return;
  const [i, j] = v.split("/").map(Number);
  const ex = state.examples[i];
  const run = ex.runs[j];
  setOptions({ source: ex.source, syntax: ex.syntax, args: run.args, timeout: run.timeout || "1s", entry: run.entry, stack: run.stack });
  $("note").textContent = ex.summary + (run.note ? " — " + run.note : "");
  $("result").textContent = "";
  setStatus("Ctrl-Enter runs the code.");
}

// ---- start ----

function start() {
  const ta = $("code");
  ta.addEventListener("input", () => { if (state.marks && state.marks.size) mark(new Map()); else drawGutter(); });
  ta.addEventListener("scroll", drawMarks);
  ta.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); act("run"); }
    if (e.key === "Tab" && !e.shiftKey) { e.preventDefault(); document.execCommand("insertText", false, "\t"); }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target !== ta) { e.preventDefault(); act("run"); }
  });
  for (const a of ["run", "trace", "bench", "disasm"]) $(a).addEventListener("click", () => act(a));
  $("example").addEventListener("change", chooseExample);
  $("share").addEventListener("click", (e) => { e.preventDefault(); history.replaceState(null, "", fragment("run")); $("share").href = location.href; });
  window.addEventListener("hashchange", fromFragment);
  loadExamples();
  if (!fromFragment()) {
    setOptions({ source: "// add: the integer arguments arrive in DI, SI, DX, CX, R8, R9.\nTEXT ·add(SB), NOSPLIT|NOFRAME, $0\n\tMOVQ DI, AX\n\tADDQ SI, AX\n\tRET\n", syntax: "auto", args: ["2", "3"] });
  }
}

// fromFragment loads the options a link carries and runs its action.
function fromFragment() {
  const f = readFragment();
  if (!f) return false;
  setOptions(f.options);
  if (["run", "trace", "bench", "disasm"].includes(f.action)) act(f.action);
  return true;
}

start();
