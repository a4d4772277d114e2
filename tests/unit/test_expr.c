/* test_expr.c — the condition front end: text → tree dump for every piece
 * of grammar and every libsinsp quirk, exact error messages and offsets,
 * recovery (all errors of a condition), depth limit, a 1 MB condition,
 * canonical text round trips, list substitution and output tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "expr.h"

static fl_arena *A;

static int setup(void **st)
{
	A = fl_arena_new();
	return A ? 0 : -1;
}

static int teardown(void **st)
{
	fl_arena_free(A);
	return 0;
}

/* Parses `in`; returns the dump and the errors as "@pos msg" lines. */
static const char *parse_dump(const char *in, const char **errtext,
			      size_t *nerr)
{
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(A, in, (uint32_t)strlen(in), 0, &errs);
	assert_non_null(e);
	char *buf = fl_arena_strdup(A, "");
	for (size_t i = 0; i < errs.n; i++) {
		assert_true(errs.v[i].start <= errs.v[i].end);
		assert_true(errs.v[i].end <= strlen(in));
		buf = fl_arena_printf(A, "%s%s@%u %s", buf, i ? "\n" : "",
				      errs.v[i].pos, errs.v[i].msg);
	}
	*errtext = buf;
	*nerr = errs.n;
	return fl_expr_dump(A, e);
}

/* The canonical text of a valid tree must re-parse to the same tree. */
static void assert_roundtrip(const char *in)
{
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(A, in, (uint32_t)strlen(in), 0, &errs);
	assert_non_null(e);
	if (errs.n)
		return;
	char *f = fl_expr_format(A, e);
	assert_non_null(f);
	fl_expr_errors errs2 = {0};
	fl_expr *e2 = fl_expr_parse(A, f, (uint32_t)strlen(f), 0, &errs2);
	if (errs2.n)
		fail_msg("'%s' formats as '%s' which fails: %s", in, f, errs2.v[0].msg);
	const char *d1 = fl_expr_dump(A, e), *d2 = fl_expr_dump(A, e2);
	if (strcmp(d1, d2) != 0)
		fail_msg("'%s' -> '%s': %s vs %s", in, f, d1, d2);
}

struct pcase {
	const char *in, *dump;
};

/* Valid conditions: grammar, precedence, quirks (condition-language §3). */
static const struct pcase valid[] = {
	{"a", "(macro a)"},
	{"a and b and c", "(and (macro a) (macro b) (macro c))"},
	{"a or b and c", "(or (macro a) (and (macro b) (macro c)))"},
	{"a and b or c", "(or (and (macro a) (macro b)) (macro c))"},
	{"not a and b", "(and (not (macro a)) (macro b))"},
	{"a and (b and c)", "(and (macro a) (and (macro b) (macro c)))"},
	{"(a)", "(macro a)"},
	{"((a))", "(macro a)"},
	{"  \t(\n a \r)\b ", "(macro a)"},
	{"not(a)", "(not (macro a))"},
	{"not (a)", "(not (macro a))"},
	{"not not a", "(macro a)"},
	{"not not not a", "(not (macro a))"},
	{"not (not a)", "(not (not (macro a)))"},
	{"not\fa", "(not (macro a))"},
	{"not\va", "(not (macro a))"},
	{"nothing and orphan_proc", "(and (macro nothing) (macro orphan_proc))"},
	{"andy or order", "(or (macro andy) (macro order))"},
	{"notproc.name = x", "(= notproc.name x)"},
	{"a and not", "(and (macro a) (macro not))"},
	/* or( / and( make the group the whole operand (case 141) */
	{"evt.type=open or (proc.name=cat) and proc.pname=x",
	 "(or (= evt.type open) (and (= proc.name cat) (= proc.pname x)))"},
	{"evt.type=open and(proc.name=cat) or evt.type=close",
	 "(or (and (= evt.type open) (= proc.name cat)) (= evt.type close))"},
	{"a or(b)", "(or (macro a) (macro b))"},
	{"a and(b or c)", "(and (macro a) (or (macro b) (macro c)))"},
	{"evt.type=open and not proc.name=cat and proc.pname=x",
	 "(and (= evt.type open) (not (= proc.name cat)) (= proc.pname x))"},
	/* operators */
	{"proc.name exists", "(exists proc.name)"},
	{"proc.pid <= 1 and proc.pid < 2 and proc.pid >= 3 and proc.pid > 4",
	 "(and (<= proc.pid 1) (< proc.pid 2) (>= proc.pid 3) (> proc.pid 4))"},
	{"proc.name == a and proc.name = b and proc.name != c",
	 "(and (== proc.name a) (= proc.name b) (!= proc.name c))"},
	{"proc.name!=x and proc.name=y", "(and (!= proc.name x) (= proc.name y))"},
	{"fd.name glob /tmp/* or fd.name iglob *.SO",
	 "(or (glob fd.name /tmp/*) (iglob fd.name *.SO))"},
	{"proc.cmdline contains x or proc.cmdline icontains y",
	 "(or (contains proc.cmdline x) (icontains proc.cmdline y))"},
	{"evt.buffer bcontains 0a0b or evt.buffer bstartswith 7f454c46",
	 "(or (bcontains evt.buffer 0a0b) (bstartswith evt.buffer 7f454c46))"},
	{"fd.name startswith /etc or fd.name endswith .conf",
	 "(or (startswith fd.name /etc) (endswith fd.name .conf))"},
	{"proc.name regex '^ba.*h$'", "(regex proc.name \"^ba.*h$\")"},
	{"proc.name in (a, \"my cat\", b)", "(in proc.name (list a \"my cat\" b))"},
	{"proc.name in(a,b)", "(in proc.name (list a b))"},
	{"proc.name in ()", "(in proc.name (list))"},
	{"proc.name in ( )", "(in proc.name (list))"},
	{"proc.name in shells", "(in proc.name $shells)"},
	{"proc.name inx", "(in proc.name $x)"},
	{"proc.aname intersects (a, b) and fd.name pmatch (/tmp, /var)",
	 "(and (intersects proc.aname (list a b)) (pmatch fd.name (list /tmp /var)))"},
	{"proc.name contains\tx and proc.name startswith\ny",
	 "(and (contains proc.name x) (startswith proc.name y))"},
	{"proc.name in (a,b,c) and fd.num in (1, 2)",
	 "(and (in proc.name (list a b c)) (in fd.num (list 1 2)))"},
	/* modifiers (case 160) */
	{"proc.name startswith oneof (a, b)", "(startswith:oneof proc.name (list a b))"},
	{"proc.name != allof (a, b)", "(!=:allof proc.name (list a b))"},
	{"proc.name = anyof shells", "(=:anyof proc.name $shells)"},
	{"proc.name glob anyof\t()", "(glob:anyof proc.name (list))"},
	{"proc.name = oneof", "(= proc.name oneof)"},
	{"proc.name = oneof and x", "(and (= proc.name oneof) (macro x))"},
	{"proc.name = allof or x", "(or (= proc.name allof) (macro x))"},
	{"proc.name contains oneof", "(contains proc.name oneof)"},
	/* numbers (cases 151-153) */
	{"proc.pid > +5 and proc.pid < -5 and proc.pid <= 010",
	 "(and (> proc.pid +5) (< proc.pid -5) (<= proc.pid 010))"},
	{"proc.pid >= 0x1F or x.y > 1.5e+3 or x.y > 1. or x.y < 2.5E-1",
	 "(or (>= proc.pid 0x1F) (> x.y 1.5e+3) (> x.y 1.) (< x.y 2.5E-1))"},
	{"proc.pid > 0xZZ", "(> proc.pid 0xZZ)"},
	{"proc.pid = abc", "(= proc.pid abc)"},
	/* field arguments (case 159) */
	{"proc.aname[2]=x and proc.env[HOME]=/srv",
	 "(and (= proc.aname[2] x) (= proc.env[HOME] /srv))"},
	{"proc.env[\"MY VAR\"]=x", "(= proc.env[\"MY VAR\"] x)"},
	{"json.value[/user/name] = a", "(= json.value[/user/name] a)"},
	{"evt.arg.flags contains O_RDWR", "(contains evt.arg.flags O_RDWR)"},
	{"k8s.pod.label[app.kubernetes.io/name] exists",
	 "(exists k8s.pod.label[app.kubernetes.io/name])"},
	/* transformers (case 156), val() */
	{"tolower(proc.name) = bash and toupper(proc.pname) = SH",
	 "(and (= tolower(proc.name) bash) (= toupper(proc.pname) SH))"},
	{"tolower(basename(proc.exepath)) = sh and len(proc.args) > 2",
	 "(and (= tolower(basename(proc.exepath)) sh) (> len(proc.args) 2))"},
	{"b64(proc.cmdline) = x", "(= b64(proc.cmdline) x)"},
	{"tolower( proc.name ) = x", "(= tolower(proc.name) x)"},
	{"proc.name = val(proc.pname) and proc.name = toupper(proc.pname)",
	 "(and (= proc.name val(proc.pname)) (= proc.name toupper(proc.pname)))"},
	{"proc.name = val( proc.pname )", "(= proc.name val(proc.pname))"},
	{"proc.pid > val(proc.ppid)", "(> proc.pid val(proc.ppid))"},
	{"proc.name in val(proc.aname[1])", "(in proc.name val(proc.aname[1]))"},
	{"concat(proc.name, proc.pname) = ab", "(= concat(proc.name, proc.pname) ab)"},
	{"join(\",\", proc.args) = \"a,b\"", "(= join(\",\", proc.args) \"a,b\")"},
	{"getopt(proc.args, \"p:\")[p] = x", "(= getopt(proc.args, p:)[p] x)"},
	{"concat(proc.name, (proc.pname, \"x\", 5)) = y",
	 "(= concat(proc.name, (list proc.pname x 5)) y)"},
	{"concat(proc.name, ()) = y", "(= concat(proc.name, (list)) y)"},
	{"tolower(proc.name) in (a, b)", "(in tolower(proc.name) (list a b))"},
	{"proc.name = tolowercase", "(= proc.name tolowercase)"},
	/* strings and escapes (§2.1, cases 147-150) */
	{"proc.name = \"\"", "(= proc.name \"\")"},
	{"proc.cmdline = \"a\\tb\\nc\"", "(= proc.cmdline \"a\\tb\\nc\")"},
	{"proc.cmdline = \"q\\\"x\"", "(= proc.cmdline \"q\\\"x\")"},
	{"proc.cmdline = 'it\\'s'", "(= proc.cmdline \"it's\")"},
	{"proc.cmdline = \"back\\\\slash\"", "(= proc.cmdline \"back\\\\slash\")"},
	{"proc.cmdline = \"s\\/x\"", "(= proc.cmdline s/x)"},
	{"proc.cmdline = \"a\\ b\"", "(= proc.cmdline \"a\\\\b\")"},
	{"proc.cmdline = a\\b", "(= proc.cmdline \"a\\\\b\")"},
	{"proc.cmdline = \"\\b\\f\\r\"", "(= proc.cmdline \"\\b\\f\\r\")"},
	{"proc.name = 'a\"b'", "(= proc.name \"a\\\"b\")"},
	{"proc.name = \"a'b\"", "(= proc.name \"a'b\")"},
	{"proc.name = a.b/c*d<e>f!g[h]i\\j-k+l:m", "(= proc.name \"a.b/c*d<e>f!g[h]i\\\\j-k+l:m\")"},
	{"proc.name = \"it's (a) = b, c\"", "(= proc.name \"it's (a) = b, c\")"},
	/* quoted values are never keywords or fields */
	{"proc.name = \"and\" and proc.name = \"proc.pname\"",
	 "(and (= proc.name and) (= proc.name proc.pname))"},
	{"proc.name = and", "(= proc.name and)"},
	{"proc.name = or or x", "(or (= proc.name or) (macro x))"},
	/* first list item with a bad escape: libsinsp silently drops it */
	{"proc.name in (\"\\x41\")", "(in proc.name (list))"},
	/* one long line of a's */
	{"a or b or c or d or e", "(or (macro a) (macro b) (macro c) (macro d) (macro e))"},
};

static void test_valid(void **st)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		const char *et;
		size_t ne;
		const char *d = parse_dump(valid[i].in, &et, &ne);
		if (ne)
			fail_msg("'%s': unexpected error %s", valid[i].in, et);
		if (strcmp(d, valid[i].dump) != 0)
			fail_msg("'%s':\n got  %s\n want %s", valid[i].in, d, valid[i].dump);
		assert_roundtrip(valid[i].in);
	}
}

struct ecase {
	const char *in;
	const char *errs; /* every error, "@pos msg", newline-separated */
};

#define OPS "expected a valid check operator: one of 'exists', '<=', '<', " \
	"'>=', '>', '==', '=', '!=', 'glob', 'iglob', 'contains', "          \
	"'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', " \
	"'regex', 'intersects', 'in', 'pmatch'"
#define TRS "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', " \
	"'concat', 'getopt'"

/* Errors: message and offset (0-based; the oracle cases are 1-based
 * columns of one-line conditions, so pos = column - 1). */
static const struct ecase errors[] = {
	{"", "@0 filter input string is empty"},
	{"  ", "@2 expected a '(' token, a field check, or an identifier"},
	/* case 139 */
	{"evt.type=open AND proc.name=cat",
	 "@14 unexpected token after 'open', expecting 'or', 'and'"},
	/* case 140 */
	{"evt.type=open or(proc.name=cat) and proc.pname=x",
	 "@32 unexpected token after ')', expecting 'or', 'and'"},
	/* case 142 */
	{"evt.type=open ordinal", "@16 expected blank or '(' after 'or'"},
	{"a andy", "@5 expected blank or '(' after 'and'"},
	{"a and\fb", "@5 expected blank or '(' after 'and'"},
	/* case 145 */
	{"evt.type=open and proc.name contains(x)", "@28 " OPS},
	/* case 148, 149 */
	{"evt.type=open and proc.cmdline = 'a\\\"b'",
	 "@39 invalid \\\" escape in '-quoted string"},
	{"proc.cmdline = \"a\\'b\"", "@21 invalid \\' escape in \"-quoted string"},
	{"evt.type=open and proc.cmdline = \"\\x41\"",
	 "@39 unsupported string escape sequence: \\x"},
	/* case 150: "a\\" does not end the string */
	{"evt.type=open and (proc.cmdline = \"a\\\\\" or proc.name = \"b\")",
	 "@56 expected a ')' token"},
	/* case 153, 154 */
	{"evt.type=open and proc.pid > 1e5",
	 "@30 unexpected token after '1', expecting 'or', 'and'"},
	{"evt.type=open and proc.pid > abc",
	 "@29 expected a number value or a field with a valid transformer: " TRS},
	{"proc.pid > 0x", "@12 unexpected token after '0', expecting 'or', 'and'"},
	/* case 157, 158 */
	{"evt.type=open and tolower (proc.name) = bash",
	 "@26 unexpected token after 'tolower', expecting 'or', 'and'"},
	{"evt.type=open and val(proc.name) = x",
	 "@21 unexpected token after 'val', expecting 'or', 'and'"},
	/* case 161, 162 */
	{"evt.type=open and proc.name", "@27 " OPS},
	{"evt.type=open and m = x", "@20 unexpected token after 'm', expecting 'or', 'and'"},
	/* case 163: no comments */
	{"evt.type=open # comment",
	 "@14 unexpected token after 'open', expecting 'or', 'and'"},
	/* case 168: a multi-item list substituted without parentheses */
	{"evt.type=open and proc.name in bash, sh ",
	 "@35 unexpected token after 'bash', expecting 'or', 'and'"},
	{"proc.aname [2] = x", "@11 " OPS},
	{"proc.name existsx", "@16 unexpected token after 'exists', expecting 'or', 'and'"},
	{"a and not ", "@10 expected a '(' token, a field check, or an identifier"},
	{"a)", "@1 unexpected token after 'a', expecting 'or', 'and'"},
	{"(a", "@2 expected a ')' token"},
	{"(a b)", "@3 expected a ')' token"},
	{"a and = b", "@6 expected a '(' token, a field check, or an identifier"},
	{"proc.name = (", "@12 expected a string value or a field with a valid transformer: " TRS},
	{"proc.name in 5", "@13 expected a list, an identifier, or a field with a valid transformer: " TRS},
	{"proc.name in (a,)", "@16 expected a string value"},
	{"proc.name in (,a)", "@14 expected a ')' token"},
	{"proc.name in (\"\\x41\" )", "@20 expected a ')' token"},
	{"proc.name = oneof(a)", "@17 unexpected token after 'oneof', expecting 'or', 'and'"},
	{"proc.name =oneof (a)", "@17 unexpected token after 'oneof', expecting 'or', 'and'"},
	{"proc.name = val(x)", "@16 expected a field within 'val' transformer"},
	{"proc.name = val(proc.pname", "@26 expected a ')' token closing the transformer"},
	{"tolower(proc.name = x", "@18 expected a ')' token closing the transformer"},
	{"tolower() = x", "@8 expected a transformer argument: a field, a transformer, "
			  "a quoted string, a number or a list"},
	{"proc.env[ = x", "@9 expected a valid field argument: a quoted string or a bare string"},
	{"proc.env[a = x", "@10 expected a ']' token"},
	{"proc.name = \"unclosed", "@12 expected a string value or a field with a valid transformer: " TRS},
	{"proc.name = 'x' 'y'", "@16 unexpected token after 'x', expecting 'or', 'and'"},
	{"proc.name = \"a b\" c", "@18 unexpected token after 'a b', expecting 'or', 'and'"},
	{"a\0b", "@1 unexpected token after 'a', expecting 'or', 'and'"},
};

static void test_errors(void **st)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		const char *in = errors[i].in;
		fl_expr_errors errs = {0};
		uint32_t len = (uint32_t)strlen(in);
		if (strcmp(in, "a") == 0 && in[2] == 'b')
			len = 3; /* the embedded-NUL case */
		fl_expr *e = fl_expr_parse(A, in, len, 0, &errs);
		assert_non_null(e);
		if (errs.n == 0)
			fail_msg("'%s': no error", in);
		const char *got = fl_arena_printf(A, "@%u %s", errs.v[0].pos, errs.v[0].msg);
		if (strcmp(got, errors[i].errs) != 0)
			fail_msg("'%s':\n got  %s\n want %s", in, got, errors[i].errs);
	}
}

/* Recovery: every error of a condition in one run, and a sane tree. */
static const struct pcase recovery[] = {
	{"a b and c d or e f",
	 "@2 unexpected token after 'a', expecting 'or', 'and'\n"
	 "@10 unexpected token after 'c', expecting 'or', 'and'\n"
	 "@17 unexpected token after 'e', expecting 'or', 'and'"},
	{"proc.name foo x and proc.pid > abc and (x.y = \"\\q\" or z",
	 "@10 " OPS "\n"
	 "@31 expected a number value or a field with a valid transformer: " TRS "\n"
	 "@50 unsupported string escape sequence: \\q\n"
	 "@55 expected a ')' token"},
	{"evt.type=open or(proc.name=cat) and proc.pname=x and = y",
	 "@32 unexpected token after ')', expecting 'or', 'and'\n"
	 "@53 expected a '(' token, a field check, or an identifier"},
	{"(tolower(proc.name = x) = y and z) and w",
	 "@19 expected a ')' token closing the transformer"},
	{"proc.name in (a b) and proc.name in (c,) and q.r",
	 "@16 expected a ')' token\n"
	 "@39 expected a string value\n"
	 "@48 " OPS},
};

static void test_recovery(void **st)
{
	for (size_t i = 0; i < sizeof(recovery) / sizeof(recovery[0]); i++) {
		const char *et;
		size_t ne;
		parse_dump(recovery[i].in, &et, &ne);
		if (strcmp(et, recovery[i].dump) != 0)
			fail_msg("'%s':\n got  %s\n want %s", recovery[i].in, et,
				 recovery[i].dump);
	}
	/* the tree keeps the good parts */
	const char *et;
	size_t ne;
	const char *d = parse_dump("a and proc.name = and b c or d", &et, &ne);
	assert_int_equal(ne, 1);
	assert_string_equal(d, "(or (and (macro a) (= proc.name and)) (macro d))");
	d = parse_dump("evt.type=open or(proc.name=cat) and proc.pname=x", &et, &ne);
	assert_string_equal(d, "(or (= evt.type open) (and (= proc.name cat) (= proc.pname x)))");
	d = parse_dump("a and proc.name and c", &et, &ne);
	assert_string_equal(d, "(and (macro a) (error) (macro c))");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_recovery),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
