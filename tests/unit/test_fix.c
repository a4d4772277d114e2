/* test_fix.c — `falco-lint fix`: candidates and their verification on the
 * vulnerable memfd block of falco-rules 2.0.0–3.2.0 (round trip: rules +
 * emitted entries → no FL501, no new diagnostic, every malicious scenario
 * still fires, checked independently through the session's own FL501 on
 * the malicious events relabelled benign), rejected list appends, the
 * legacy form, exceptions, precedence of appends, merging into rules and
 * Helm values files, and atomic writes. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "expr.h"
#include "falcolint.h"
#include "fix.h"
#include "session.h"

/* The v1 block as falco-rules 3.2.0 ships it (rules-format quirks aside). */
static const char V1[] =
	"- required_engine_version: 0.31.0\n"
	"- macro: spawned_process\n"
	"  condition: (evt.type in (execve, execveat) and evt.dir=<)\n"
	"- list: known_memfd_execution_binaries\n"
	"  items: []\n"
	"- macro: known_memfd_execution_processes\n"
	"  condition: (proc.name in (known_memfd_execution_binaries))\n"
	"- rule: Fileless execution via memfd_create\n"
	"  desc: memfd exec\n"
	"  condition: >\n"
	"    spawned_process\n"
	"    and proc.is_exe_from_memfd=true\n"
	"    and not known_memfd_execution_processes\n"
	"  output: fileless exec (proc=%proc.name exepath=%proc.exepath)\n"
	"  priority: CRITICAL\n";

/* A rule with no list or macro to extend. */
static const char BARE[] =
	"- rule: Bare memfd exec\n"
	"  desc: no hooks\n"
	"  condition: evt.type in (execve, execveat) and proc.is_exe_from_memfd=true\n"
	"  output: memfd exec (proc=%proc.name)\n"
	"  priority: WARNING\n";

/* The built-in malicious events, labelled benign: the session's own
 * evaluator then reports FL501 for each rule that fires on them, an
 * oracle independent of fix.c. */
static const char MAL_AS_BENIGN[] =
	"- scenario: mal-digit\n"
	"  kind: benign\n"
	"  events:\n"
	"    - name: bpf\n"
	"      fields: {evt.type: execve, evt.dir: \"<\", proc.name: \"5\", proc.exepath: \"memfd:malware\",\n"
	"               proc.is_exe_from_memfd: true, proc.pname: bash}\n"
	"    - name: kmod\n"
	"      fields: {evt.type: execve, evt.dir: \"<\", proc.name: \"5\", proc.exepath: \"/memfd:malware\",\n"
	"               proc.is_exe_from_memfd: true, proc.pname: bash}\n"
	"- scenario: mal-spoofed-parent\n"
	"  kind: benign\n"
	"  events:\n"
	"    - name: bpf\n"
	"      fields: {evt.type: execve, evt.dir: \"<\", proc.name: \"5\", proc.exepath: \"memfd:x\",\n"
	"               proc.is_exe_from_memfd: true, proc.pname: runc}\n";

static char tmpdir[] = "/tmp/fl-test-fix.XXXXXX";
static char malpath[4200];

static int setup(void **st)
{
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(malpath, sizeof malpath, "%s/mal.yaml", tmpdir);
	FILE *f = fopen(malpath, "w");
	if (!f)
		return -1;
	fputs(MAL_AS_BENIGN, f);
	fclose(f);
	return 0;
}

static int teardown(void **st)
{
	char cmd[4300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A session over rules texts (name, text pairs), run. */
static fl_session *load(const char *target, const char *scen, size_t n, ...)
{
	fl_options o;
	fl_options_init(&o);
	o.target_falco = target;
	fl_session *s = fl_session_new(&o);
	assert_non_null(s);
	if (scen)
		assert_int_equal(fl_session_add_scenario(s, scen), 0);
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		const char *name = va_arg(ap, const char *), *text = va_arg(ap, const char *);
		assert_int_equal(fl_session_add_buffer(s, name, text, strlen(text), 0), 0);
	}
	va_end(ap);
	assert_int_equal(fl_session_run(s), 0);
	return s;
}

static size_t count(const fl_session *s, const char *code, const char *scen_prefix)
{
	size_t n = 0;
	for (size_t i = 0; i < fl_session_ndiags(s); i++) {
		const fl_diag_view *d = fl_session_diag(s, i);
		if (!strcmp(d->code, code) &&
		    (!scen_prefix || (d->scenario && !strncmp(d->scenario, scen_prefix, strlen(scen_prefix)))))
			n++;
	}
	return n;
}

/* Diagnostics other than FL501/FL502 (and FL401 when legacy), as text. */
static char *others(const fl_session *s, int allow_legacy)
{
	static char buf[8192];
	buf[0] = 0;
	for (size_t i = 0; i < fl_session_ndiags(s); i++) {
		const fl_diag_view *d = fl_session_diag(s, i);
		if (!strcmp(d->code, "FL501") || !strcmp(d->code, "FL502") ||
		    (allow_legacy && !strcmp(d->code, "FL401")))
			continue;
		size_t l = strlen(buf);
		snprintf(buf + l, sizeof buf - l, "%s %s\n", d->code, d->message);
	}
	return buf;
}

static void test_append_safe(void **st)
{
	fl_arena *a = fl_arena_new();
	const char *and_base = "proc.name = a and proc.pname = b";
	const char *or_base = "proc.name = a or proc.pname = b";
	/* `or (X)` after any base is (base) or X: and/not bind tighter */
	assert_true(fl_fix_append_safe(a, and_base, strlen(and_base), "or"));
	assert_true(fl_fix_append_safe(a, or_base, strlen(or_base), "or"));
	/* `and (X)` after `a or b` would give a or (b and X) */
	assert_false(fl_fix_append_safe(a, or_base, strlen(or_base), "and"));
	assert_true(fl_fix_append_safe(a, and_base, strlen(and_base), "and"));
	const char *paren = "(proc.name = a or proc.pname = b)";
	assert_true(fl_fix_append_safe(a, paren, strlen(paren), "and"));
	/* and the parser agrees: the joined text's top level is an `or` whose
	 * last operand is the appended term */
	const char *joined = "proc.name = a and proc.pname = b or (proc.exepath = x)";
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(a, joined, (uint32_t)strlen(joined), 0, &errs);
	assert_int_equal(errs.n, 0);
	assert_int_equal(e->kind, FL_EXPR_OR);
	assert_int_equal(e->u.kids.n, 2);
	assert_int_equal(e->u.kids.v[0]->kind, FL_EXPR_AND);
	const char *bad = "proc.name = a or proc.pname = b and (proc.exepath = x)";
	e = fl_expr_parse(a, bad, (uint32_t)strlen(bad), 0, &errs);
	assert_int_equal(e->kind, FL_EXPR_OR);  /* the `and` stuck to b */
	fl_arena_free(a);
}

/* Round trip on the vulnerable block: the fix silences every benign
 * finding, the relabelled malicious events still fire, nothing else. */
static void test_roundtrip_v1(void **st)
{
	fl_session *s = load(NULL, malpath, 1, "rules.yaml", V1);
	assert_int_equal(count(s, "FL501", "runc-"), 3);
	assert_int_equal(count(s, "FL501", "mal-"), 2);
	char *before = strdup(others(s, 0));
	fl_fix_options o = {.only = "*-memfd-*"};
	fl_fix *fx;
	assert_int_equal(fl_fix_run(s, &o, &fx), 0);
	assert_int_equal(fl_fix_nunfixed(fx), 0);
	size_t len;
	const char *text = fl_fix_text(fx, &len);
	assert_true(len > 0);
	/* every benign memfd scenario of the catalogue gets an entry, the
	 * three runc ones share one */
	assert_int_equal(fl_fix_nentries(fx), 4);
	assert_non_null(strstr(text, "# falco-lint fix: rule 'Fileless execution via memfd_create' "
				     "fires on benign scenario 'runc-memfd-reexec' [FL501]\n"));
	assert_non_null(strstr(text, "- macro: known_memfd_execution_processes\n"
				     "  condition: or (proc.pname = runc and proc.exepath in"));
	assert_non_null(strstr(text, "  override:\n    condition: append\n"));
	assert_null(strstr(text, "append: true"));
	fl_session *r = load(NULL, malpath, 2, "rules.yaml", V1, "fix.yaml", text);
	assert_int_equal(count(r, "FL501", "runc-"), 0);
	assert_int_equal(count(r, "FL501", "crun-"), 0);
	assert_int_equal(count(r, "FL501", "mal-"), 2);
	assert_string_equal(others(r, 0), before);
	/* and nothing is left to fix */
	fl_fix *again;
	assert_int_equal(fl_fix_run(r, &o, &again), 0);
	assert_int_equal(fl_fix_nentries(again), 0);
	assert_int_equal(fl_fix_text(again, &len)[0], '\0');
	free(before);
	fl_session_free(r);
	fl_session_free(s);
}

/* The list appends users tried in falcosecurity/falco#3444. */
static void test_list_candidates_rejected(void **st)
{
	fl_session *s = load(NULL, NULL, 1, "rules.yaml", V1);
	fl_fix *fx;
	assert_int_equal(fl_fix_run(s, &(fl_fix_options){.only = "none"}, &fx), 0);
	const char *why = NULL;
	const char *runc = "- list: known_memfd_execution_binaries\n  items: [runc]\n"
			   "  override:\n    items: append\n";
	assert_int_equal(fl_fix_verify(fx, "Fileless execution via memfd_create", "runc-memfd-reexec",
				       runc, strlen(runc), &why), 0);
	assert_non_null(strstr(why, "still fires"));
	const char *five = "- list: known_memfd_execution_binaries\n  items: [\"5\", \"memfd:runc_clon\"]\n"
			   "  override:\n    items: append\n";
	assert_int_equal(fl_fix_verify(fx, "Fileless execution via memfd_create", "runc-memfd-reexec",
				       five, strlen(five), &why), 0);
	assert_non_null(strstr(why, "silences malicious scenario 'memfd-payload-exec'"));
	/* an append that parses but names an undefined macro adds a diagnostic */
	const char *broken = "- macro: known_memfd_execution_processes\n"
			     "  condition: or (proc.pname = runc and proc.exepath = \"memfd:runc_cloned:/proc/self/exe\")"
			     " or undefined_macro_x\n  override:\n    condition: append\n";
	assert_int_equal(fl_fix_verify(fx, "Fileless execution via memfd_create", "runc-memfd-reexec",
				       broken, strlen(broken), &why), 0);
	/* the exempt predicate passes */
	const char *good = "- macro: known_memfd_execution_processes\n"
			   "  condition: or (proc.pname = runc and proc.exepath in (\"memfd:runc_cloned:/proc/self/exe\","
			   " \"/memfd:runc_cloned:/proc/self/exe\"))\n  override:\n    condition: append\n";
	assert_int_equal(fl_fix_verify(fx, "Fileless execution via memfd_create", "runc-memfd-reexec",
				       good, strlen(good), &why), 1);
	/* exempting on the parent name alone silences the spoofed parent */
	const char *pname = "- macro: known_memfd_execution_processes\n"
			    "  condition: or (proc.pname = runc)\n  override:\n    condition: append\n";
	assert_int_equal(fl_fix_verify(fx, "Fileless execution via memfd_create", "runc-memfd-reexec",
				       pname, strlen(pname), &why), 0);
	/* (the 6.14 payload gives no parent: unknown counts as silenced) */
	assert_non_null(strstr(why, "may silence malicious scenario 'memfd-payload-exec' (bpf-linux-6.14)"));
	const char *spoof = "- macro: known_memfd_execution_processes\n"
			    "  condition: or (proc.pname = runc and proc.exepath contains \"memfd:\")\n"
			    "  override:\n    condition: append\n";
	assert_int_equal(fl_fix_verify(fx, "Fileless execution via memfd_create", "runc-memfd-reexec",
				       spoof, strlen(spoof), &why), 0);
	assert_non_null(strstr(why, "malicious scenario 'memfd-payload"));
	fl_session_free(s);
}

/* Verification evaluates what the session stage evaluates (lib/eval.c over
 * the compile stage's trees): a macro sees a list defined after it, and
 * appended exception values count. */
static void test_verify_uses_compiled_rules(void **st)
{
	static const char late[] =
		"- macro: spawned_process\n"
		"  condition: (evt.type in (execve, execveat) and evt.dir=<)\n"
		"- macro: known_memfd_execution_processes\n"
		"  condition: (proc.name in (known_memfd_execution_binaries))\n"
		"- list: known_memfd_execution_binaries\n"
		"  items: []\n"
		"- rule: Fileless execution via memfd_create\n"
		"  desc: memfd exec\n"
		"  condition: spawned_process and proc.is_exe_from_memfd=true and not known_memfd_execution_processes\n"
		"  output: fileless exec (proc=%proc.name)\n"
		"  priority: CRITICAL\n"
		"  exceptions:\n"
		"    - name: runtimes\n"
		"      fields: [proc.pname, proc.exepath]\n"
		"      values:\n"
		"        - [containerd, /usr/bin/containerd]\n";
	fl_session *s = load(NULL, NULL, 1, "rules.yaml", late);
	fl_fix *fx;
	assert_int_equal(fl_fix_run(s, &(fl_fix_options){.only = "none"}, &fx), 0);
	const char *why = NULL;
	const char *five = "- list: known_memfd_execution_binaries\n  items: [\"5\", \"memfd:runc_clon\"]\n"
			   "  override:\n    items: append\n";
	assert_int_equal(fl_fix_verify(fx, "Fileless execution via memfd_create", "runc-memfd-reexec",
				       five, strlen(five), &why), 0);
	assert_non_null(strstr(why, "silences malicious scenario 'memfd-payload-exec'"));
	const char *exc = "- rule: Fileless execution via memfd_create\n"
			  "  exceptions:\n"
			  "    - name: runtimes\n"
			  "      values:\n"
			  "        - [runc, \"memfd:runc_cloned:/proc/self/exe\"]\n"
			  "        - [runc, /memfd:runc_cloned:/proc/self/exe]\n"
			  "  override:\n    exceptions: append\n";
	assert_int_equal(fl_fix_verify(fx, "Fileless execution via memfd_create", "runc-memfd-reexec",
				       exc, strlen(exc), &why), 1);
	fl_session_free(s);
}

/* Only a scenario without an exempt predicate: the list append of its
 * process names is the only candidate and it is refused. */
static void test_unfixable(void **st)
{
	char path[4300];
	snprintf(path, sizeof path, "%s/noexempt.yaml", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("- scenario: my-runc\n  kind: benign\n  events:\n    - name: bpf\n"
	      "      fields: {evt.type: execve, evt.dir: \"<\", proc.name: \"5\", proc.pname: runc,\n"
	      "               proc.exepath: \"memfd:runc_cloned:/proc/self/exe\", proc.is_exe_from_memfd: true}\n",
	      f);
	fclose(f);
	fl_session *s = load(NULL, path, 1, "rules.yaml", V1);
	fl_fix *fx;
	assert_int_equal(fl_fix_run(s, &(fl_fix_options){.only = "my-*"}, &fx), 0);
	assert_int_equal(fl_fix_nentries(fx), 0);
	assert_int_equal(fl_fix_nunfixed(fx), 1);
	assert_non_null(strstr(fl_fix_unfixed(fx, 0), "no verified fix"));
	assert_int_equal(fl_fix_nlog(fx), 1);
	assert_non_null(strstr(fl_fix_log(fx, 0), "list 'known_memfd_execution_binaries'"));
	assert_non_null(strstr(fl_fix_log(fx, 0), "rejected: silences malicious"));
	fl_session_free(s);
}

static void test_legacy_form(void **st)
{
	/* --target-falco below 0.37 */
	fl_session *s = load("0.36.2", NULL, 1, "rules.yaml", V1);
	fl_fix *fx;
	assert_int_equal(fl_fix_run(s, &(fl_fix_options){.only = "runc-*"}, &fx), 0);
	size_t len;
	const char *text = fl_fix_text(fx, &len);
	assert_non_null(strstr(text, "  append: true\n"));
	assert_null(strstr(text, "override"));
	fl_session_free(s);
	/* required_engine_version 26 (falco-rules 2.0.0, Falco 0.36) */
	char v26[sizeof V1 + 16];
	snprintf(v26, sizeof v26, "- required_engine_version: 26\n%s", strchr(V1, '\n') + 1);
	s = load(NULL, NULL, 1, "rules.yaml", v26);
	assert_int_equal(fl_fix_run(s, &(fl_fix_options){.only = "runc-*"}, &fx), 0);
	text = fl_fix_text(fx, &len);
	assert_non_null(strstr(text, "  append: true\n"));
	fl_session *r = load(NULL, NULL, 2, "rules.yaml", v26, "fix.yaml", text);
	assert_int_equal(count(r, "FL501", "runc-"), 0);
	assert_int_equal(count(r, "FL401", NULL), 1);  /* the deliberate legacy form */
	fl_session_free(r);
	fl_session_free(s);
}

static void test_exception_when_no_hook(void **st)
{
	fl_session *s = load(NULL, malpath, 1, "rules.yaml", BARE);
	fl_fix *fx;
	assert_int_equal(fl_fix_run(s, &(fl_fix_options){.only = "runc-memfd-reexec"}, &fx), 0);
	assert_int_equal(fl_fix_nentries(fx), 1);
	size_t len;
	const char *text = fl_fix_text(fx, &len);
	assert_non_null(strstr(text, "- rule: Bare memfd exec\n  exceptions:\n"));
	assert_non_null(strstr(text, "fields: [proc.pname, proc.exepath]"));
	assert_non_null(strstr(text, "comps: [=, in]"));
	assert_non_null(strstr(text, "  override:\n    exceptions: append\n"));
	fl_session *r = load(NULL, malpath, 2, "rules.yaml", BARE, "fix.yaml", text);
	assert_int_equal(count(r, "FL501", "runc-memfd-reexec"), 0);
	assert_string_equal(others(r, 0), "");
	fl_session_free(r);
	fl_session_free(s);
}

/* ---- merging ------------------------------------------------------------ */

static fl_fix *v1_fix(fl_session **sp, int helm)
{
	*sp = load(NULL, NULL, 1, "rules.yaml", V1);
	fl_fix *fx;
	assert_int_equal(fl_fix_run(*sp, &(fl_fix_options){.only = "runc-*", .helm = helm}, &fx), 0);
	assert_int_equal(fl_fix_nentries(fx), 1);
	return fx;
}

static void test_merge_rules(void **st)
{
	fl_session *s;
	fl_fix *fx = v1_fix(&s, 0);
	const char *old = "# my local rules\n- list: mine\n  items: [a]   # keep\n";
	char *out, *out2;
	size_t n, n2;
	int changed;
	const char *err;
	assert_int_equal(fl_fix_merge(fx, "local.yaml", old, strlen(old), &out, &n, &changed, &err), 0);
	assert_true(changed);
	assert_memory_equal(out, old, strlen(old));  /* kept byte for byte */
	size_t tl;
	const char *text = fl_fix_text(fx, &tl);
	assert_non_null(strstr(out, text));
	/* merging again adds nothing */
	assert_int_equal(fl_fix_merge(fx, "local.yaml", out, n, &out2, &n2, &changed, &err), 0);
	assert_false(changed);
	assert_int_equal(n2, n);
	assert_memory_equal(out2, out, n);
	/* an empty or missing file becomes the entries */
	assert_int_equal(fl_fix_merge(fx, "new.yaml", "", 0, &out, &n, &changed, &err), 0);
	assert_true(changed);
	assert_string_equal(out, text);
	/* a flow sequence cannot take appended text */
	const char *flow = "[{list: x, items: []}]\n";
	assert_int_equal(fl_fix_merge(fx, "flow.yaml", flow, strlen(flow), &out, &n, &changed, &err),
			 FL_EUSAGE);
	assert_non_null(strstr(err, "not a block sequence"));
	const char *bad = "- list: [\n";
	assert_int_equal(fl_fix_merge(fx, "bad.yaml", bad, strlen(bad), &out, &n, &changed, &err),
			 FL_EUSAGE);
	fl_session_free(s);
}

static const char VALUES[] =
	"# Falco chart values\n"
	"image: &img\n"
	"  registry: docker.io   # keep me\n"
	"mirror: *img\n"
	"customRules:\n"
	"  rules-local.yaml: |-\n"
	"    - list: my_list\n"
	"      items: [a, b]\n"
	"\n"
	"# about falco\n"
	"falco:\n"
	"  json_output: true\n";

static void test_merge_helm(void **st)
{
	fl_session *s;
	fl_fix *fx = v1_fix(&s, 1);
	size_t tl;
	const char *text = fl_fix_text(fx, &tl);
	assert_true(!strncmp(text, "customRules:\n  falco-lint-fixes.yaml: |-\n    # falco-lint fix: ", 63));
	char *out, *out2;
	size_t n, n2;
	int changed;
	const char *err;
	assert_int_equal(fl_fix_merge(fx, "values.yaml", VALUES, strlen(VALUES), &out, &n, &changed, &err), 0);
	assert_true(changed);
	/* everything up to the last entry, and everything after it, is kept */
	const char *cut = strstr(VALUES, "\n\n# about falco") + 1;
	size_t head = (size_t)(cut - VALUES);
	assert_memory_equal(out, VALUES, head);
	assert_string_equal(out + n - strlen(cut), cut);
	assert_non_null(strstr(out, "\n  falco-lint-fixes.yaml: |-\n    # falco-lint fix: rule "));
	assert_int_equal(fl_fix_merge(fx, "values.yaml", out, n, &out2, &n2, &changed, &err), 0);
	assert_false(changed);
	assert_memory_equal(out2, out, n);
	/* the merged file loads: the entry is a rules file of its own */
	char path[4300];
	snprintf(path, sizeof path, "%s/values.yaml", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fwrite(out, 1, n, f);
	fclose(f);
	fl_options o;
	fl_options_init(&o);
	fl_session *r = fl_session_new(&o);
	assert_int_equal(fl_session_add_buffer(r, "rules.yaml", V1, strlen(V1), 0), 0);
	assert_int_equal(fl_session_add_helm_values(r, path, 0), 0);
	assert_int_equal(fl_session_run(r), 0);
	assert_int_equal(count(r, "FL501", "runc-"), 0);
	assert_int_equal(count(r, "FL501", "crun-"), 1);
	fl_session_free(r);
	/* `customRules: {}` (the chart's default) and no customRules at all */
	const char *empty = "driver:\n  kind: modern_ebpf\ncustomRules: {}  # none yet\nfalco: {}\n";
	assert_int_equal(fl_fix_merge(fx, "v.yaml", empty, strlen(empty), &out, &n, &changed, &err), 0);
	assert_true(!strncmp(out, "driver:\n  kind: modern_ebpf\ncustomRules:  # none yet\n"
				  "  falco-lint-fixes.yaml: |-\n", 73));
	assert_string_equal(out + n - 10, "falco: {}\n");
	const char *none = "driver:\n  kind: kmod";
	assert_int_equal(fl_fix_merge(fx, "v.yaml", none, strlen(none), &out, &n, &changed, &err), 0);
	assert_true(!strncmp(out, "driver:\n  kind: kmod\ncustomRules:\n  falco-lint-fixes.yaml: |-\n", 60));
	/* an entry of the same name that holds something else: a new name */
	const char *taken = "customRules:\n  falco-lint-fixes.yaml: |-\n    - list: z\n      items: []\n";
	assert_int_equal(fl_fix_merge(fx, "v.yaml", taken, strlen(taken), &out, &n, &changed, &err), 0);
	assert_non_null(strstr(out, "\n  falco-lint-fixes-2.yaml: |-\n"));
	fl_session_free(s);
}

/* ---- atomic writes ------------------------------------------------------ */

static int leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static void test_atomic(void **st)
{
	char dir[4300], path[4400], err[512];
	snprintf(dir, sizeof dir, "%s/atomic", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof path, "%s/out.yaml", dir);
	assert_int_equal(fl_write_file_atomic(path, "one\n", 4, err, sizeof err), 0);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 4);
	/* an existing file keeps its mode */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(fl_write_file_atomic(path, "two\n", 4, err, sizeof err), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0640);
	assert_int_equal(leftovers(dir), 0);
	/* a write that fails half-way (file size limit) leaves the old file
	 * and no temporary file */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit rl = {8, 8};
		setrlimit(RLIMIT_FSIZE, &rl);
		static char big[4096];
		memset(big, 'x', sizeof big);
		int rc = fl_write_file_atomic(path, big, sizeof big, err, sizeof err);
		_exit(rc == FL_EIO && strstr(err, "cannot write") ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	FILE *f = fopen(path, "r");
	char buf[16] = {0};
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof buf - 1, f), 4);
	fclose(f);
	assert_string_equal(buf, "two\n");
	assert_int_equal(leftovers(dir), 0);
	/* a read-only directory: a clear error (as an unprivileged user when
	 * the tests run as root, who may write anywhere) */
	assert_int_equal(chmod(dir, 0555), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && setuid(65534) != 0)
			_exit(2);
		int rc = fl_write_file_atomic(path, "three\n", 6, err, sizeof err);
		_exit(rc == FL_EIO && strstr(err, "cannot create a temporary file") &&
		      strstr(err, "Permission denied") ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	chmod(dir, 0755);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(leftovers(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_safe),
		cmocka_unit_test(test_roundtrip_v1),
		cmocka_unit_test(test_list_candidates_rejected),
		cmocka_unit_test(test_verify_uses_compiled_rules),
		cmocka_unit_test(test_unfixable),
		cmocka_unit_test(test_legacy_form),
		cmocka_unit_test(test_exception_when_no_hook),
		cmocka_unit_test(test_merge_rules),
		cmocka_unit_test(test_merge_helm),
		cmocka_unit_test(test_atomic),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
