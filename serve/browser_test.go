package serve

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The page in a real browser: Debian's headless Chromium, driven over
// the DevTools protocol by chromedp (a Go client that needs no driver
// binary and downloads no browser; .ci/run installs chromium).

const chromiumPath = "/usr/bin/chromium"

// screenshotEnv names a file the test also writes its screenshots
// beside (/tmp/shot.png: /tmp/shot-page.png, /tmp/shot-fault.png).
const screenshotEnv = "JITRUN_SERVE_SCREENSHOT"

// browser starts a headless Chromium with a fresh profile and returns a
// tab's context.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("SKIPPING THE BROWSER TEST: no Chromium at %s (%v); install it (apt-get install chromium, as .ci/run does) to test the page in a real browser", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(alloc)
	// A safety net for a browser that hangs, not a measurement.
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return ctx
}

// do runs steps in the tab, failing the test on an error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// value runs a that reads a value in the tab.
func value[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// typeCode replaces the editor's text by typing src into it.
func typeCode(src string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(clear("code"), chromedp.SendKeys(chromedp.ID("code"), src))
}

// clear empties the text field with the id (chromedp's SetValue refuses
// an empty value).
func clear(id string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[int](`document.getElementById("`+id+`").value = ""; 0`)(ctx, tg)
		return chromedp.Void{}, err
	}
}

// resultSection is a script that finds the result section whose title
// starts with title.
func resultSection(title string) string {
	return `[...document.querySelectorAll("#result h2")].find(h => h.textContent.startsWith("` + title + `"))`
}

func TestBrowser(t *testing.T) {
	ctx := browser(t)
	ts := startServer(t, Config{})
	const add = "MOVQ DI, AX\nADDQ SI, AX\nRET\n"

	// Load the page, type a program and its arguments, press Run.
	do(t, ctx,
		chromedp.Navigate(ts.url+"/"),
		chromedp.WaitVisible(chromedp.ID("code")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("#example option").length > 1`),
		typeCode(add),
		clear("args"),
		chromedp.SendKeys(chromedp.ID("args"), "2\n3"),
		chromedp.Click(chromedp.ID("run")),
		chromedp.WaitVisible(chromedp.ID("rax")),
	)
	examples := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#example option").length`))
	if examples != 52 { // "(your code)" and the 51 Run: lines of the 45 files
		t.Errorf("the examples menu has %d entries, want 52", examples)
	}
	if rax := value(t, ctx, chromedp.Text(chromedp.ID("rax"))); rax != "rax = 5 (0x5)" {
		t.Errorf("after Run: %q, want \"rax = 5 (0x5)\"", rax)
	}
	href := value(t, ctx, chromedp.Location())
	if !strings.Contains(href, "#do=run&code=MOVQ+DI%2C+AX%0AADDQ+SI%2C+AX%0ARET%0A") || !strings.Contains(href, "&arg=2&arg=3") {
		t.Errorf("the link %q does not carry the code and the arguments", href)
	}

	// A fault on line 3, run with Ctrl-Enter: the gutter and the
	// overlay mark line 3, and the fault is said in words.
	do(t, ctx,
		typeCode("MOVQ $1, AX\nNOP\nMOVQ (AX), AX\nRET\n"),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(chromedp.CSS(".gutter .fault")),
	)
	marked := value(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".gutter .fault, .marks .fault")].map(e => e.dataset.line)`))
	status := value(t, ctx, chromedp.Text(chromedp.ID("status")))
	if strings.Join(marked, ",") != "3,3" || status != "The code faulted at line 3." {
		t.Errorf("after the fault: marked lines %v, status %q; want [3 3], \"The code faulted at line 3.\"", marked, status)
	}
	saveScreenshot(t, value(t, ctx, chromedp.FullScreenshot(100)), "fault.png")
	fault := value(t, ctx, chromedp.Text(chromedp.CSS(".fault-words")))
	if !strings.Contains(fault, "reading from 0x1, where nothing is mapped at that address") || !strings.Contains(fault, "at offset 8, line 3: MOVQ 0(AX), AX") {
		t.Errorf("the fault in words: %q", fault)
	}

	// Source that does not assemble marks its line as an error.
	do(t, ctx,
		typeCode("RET\nFOO AX\n"),
		chromedp.Click(chromedp.ID("run")),
		chromedp.WaitVisible(chromedp.CSS(".gutter .error")),
	)
	marked = value(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".gutter .error")].map(e => e.dataset.line + ": " + e.title)`))
	if strings.Join(marked, ",") != "2: unknown instruction FOO" {
		t.Errorf("after an assembly error: marked %v", marked)
	}

	// Trace, Disasm and Bench show their tables and the chart.
	do(t, ctx,
		typeCode("MOVQ $1, AX\nINCQ AX\nRET\n"),
		chromedp.Click(chromedp.ID("trace")),
		chromedp.Poll[chromedp.Void](resultSection("Trace")+` !== undefined`),
	)
	traceRows := value(t, ctx, chromedp.Evaluate[int](resultSection("Trace")+`.parentNode.querySelectorAll("tr").length - 1`))
	do(t, ctx,
		chromedp.Click(chromedp.ID("disasm")),
		chromedp.Poll[chromedp.Void](resultSection("Disassembly")+` !== undefined`),
	)
	disasmText := value(t, ctx, chromedp.Evaluate[[]string](`[...`+resultSection("Disassembly")+`.parentNode.querySelectorAll("tr td:nth-child(4)")].map(e => e.textContent)`))
	do(t, ctx,
		typeCode("IMULQ BX, AX\n"),
		chromedp.Click(chromedp.ID("bench")),
		chromedp.WaitVisible(chromedp.ID("chart")),
		chromedp.Poll[chromedp.Void](`document.querySelector("#chart").complete && document.querySelector("#chart").naturalWidth === 560`),
	)
	saveScreenshot(t, value(t, ctx, chromedp.FullScreenshot(100)), "bench.png")
	if traceRows != 3 || strings.Join(disasmText, "; ") != "MOVQ $0x1, AX; INCQ AX; RET" {
		t.Errorf("trace rows %d, disassembly %q; want 3, \"MOVQ $0x1, AX; INCQ AX; RET\"", traceRows, disasmText)
	}
	// Intel source under auto is listed in Intel syntax.
	do(t, ctx,
		typeCode("mov eax, 1\nret\n"),
		chromedp.Click(chromedp.ID("disasm")),
		chromedp.Poll[chromedp.Void](resultSection("Disassembly (6 bytes, intel")+` !== undefined`),
	)
	disasmText = value(t, ctx, chromedp.Evaluate[[]string](`[...`+resultSection("Disassembly")+`.parentNode.querySelectorAll("tr td:nth-child(4)")].map(e => e.textContent)`))
	if strings.Join(disasmText, "; ") != "mov eax, 0x1; ret" {
		t.Errorf("Intel disassembly %q, want \"mov eax, 0x1; ret\"", disasmText)
	}

	// AT&T source under auto is listed in AT&T syntax.
	do(t, ctx,
		typeCode("movq $1, %rax # one\nret\n"),
		chromedp.Click(chromedp.ID("disasm")),
		chromedp.Poll[chromedp.Void](resultSection("Disassembly (8 bytes, att")+` !== undefined`),
	)
	disasmText = value(t, ctx, chromedp.Evaluate[[]string](`[...`+resultSection("Disassembly")+`.parentNode.querySelectorAll("tr td:nth-child(4)")].map(e => e.textContent)`))
	if strings.Join(disasmText, "; ") != "mov $0x1,%rax; retq" {
		t.Errorf("AT&T disassembly %q, want \"mov $0x1,%%rax; retq\"", disasmText)
	}

	// The shared link, opened in a new tab, reproduces the first run.
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	do(t, tab,
		chromedp.Navigate(href),
		chromedp.WaitVisible(chromedp.ID("rax")),
	)
	rax := value(t, tab, chromedp.Text(chromedp.ID("rax")))
	code := value(t, tab, chromedp.Value(chromedp.ID("code")))
	if rax != "rax = 5 (0x5)" || code != add {
		t.Errorf("the shared link ran %q to %q; want %q to \"rax = 5 (0x5)\"", code, rax, add)
	}
	saveScreenshot(t, value(t, tab, chromedp.FullScreenshot(100)), "page.png")
}

// saveScreenshot writes png under the test's temporary directory, and
// beside the file screenshotEnv names when it is set (NAME-page.png).
func saveScreenshot(t *testing.T, png []byte, name string) {
	t.Helper()
	shot := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if p := os.Getenv(screenshotEnv); p != "" {
		if err := os.WriteFile(strings.TrimSuffix(p, ".png")+"-"+name, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))
}
