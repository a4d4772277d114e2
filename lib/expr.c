/* expr.c — lexer and recursive-descent parser for Falco conditions, plus
 * Falco's textual list substitution and output-format tokens.  Grammar,
 * token classes and error texts mirror libsinsp's filter parser
 * (condition-language.md §2–§5); unlike libsinsp the parser records an
 * error, builds an ERROR node, resynchronises and goes on. */
#include "expr.h"

#include <stdarg.h>
#include <string.h>

#include "falcolint.h"
#include "hash.h"

/* ---- name tables ------------------------------------------------------ */

static const char *const kind_names[] = {
#define FL_X_(k, s) s,
	FL_EXPR_KINDS(FL_X_)
#undef FL_X_
};

/* Transformer names (operators.def) with their lengths, for the lexer. */
static const struct {
	const char *name;
	uint32_t len;           /* strlen(name): every check is tried against
				   every name */
} tr_table[FL_NXFORMS] = {
#define FL_XFORM(id, name, classes, list_ok, result, min_args, max_args, since) \
	[FL_XF_##id] = {name, sizeof(name) - 1},
#include "operators.def"
#undef FL_XFORM
};

_Static_assert(FL_NXFORMS <= 256, "fl_operand.tr is a byte");
_Static_assert(sizeof(void *) != 8 || sizeof(fl_operand) == 32,
	       "fl_operand grew: every list item pays for it");

const char *fl_expr_kind_name(fl_expr_kind k)
{
	return (unsigned)k < FL_EXPR_KIND_COUNT ? kind_names[k] : "";
}

/* The transformer named s[0..len), or -1. */
static int tr_lookup(const char *s, size_t len)
{
	for (int i = 0; i < FL_NXFORMS; i++)
		if (tr_table[i].len == len && memcmp(tr_table[i].name, s, len) == 0)
			return i;
	return -1;
}

/* ---- parser state ----------------------------------------------------- */

typedef struct P {
	fl_arena *a;
	const char *s;
	uint32_t n, pos;
	/* libsinsp's m_last_token: the last token lexed (blanks excluded),
	 * quoted in "unexpected token after '…'" */
	const char *last;
	uint32_t last_len;
	unsigned depth, max_depth;
	int depth_reported;
	unsigned groups;   /* open `(` groups around the current position */
	unsigned tparens;  /* open transformer/list parentheses */
	unsigned owe;      /* tparens open when the pending error was raised */
	int oom;
	fl_expr_errors *errs;
	/* A quote character with no closing partner anywhere in
	 * [noclose_from, noclose_to): remembered so that hostile runs of
	 * unclosed quotes cost linear, not quadratic, time. */
	uint32_t noclose_from[2], noclose_to[2];
	/* Children of the nodes being parsed (and/or operands, list items,
	 * transformer arguments) wait on one stack shared by every nesting
	 * level, a level's entries above those of the levels around it; a
	 * complete node takes an exactly sized copy.  A parse thus leaves no
	 * half-used growing vectors in the arena, and the stack starts in a
	 * buffer of the entry point's frame. */
	void **pend;
	size_t pend_n, pend_cap;
} P;

/* Entries of the initial pending stack (deeper conditions spill into the
 * arena). */
#define PEND_LOCAL 64

static int ch(const P *p, uint32_t i)
{
	/* libsinsp reads a NUL-terminated copy: NUL ends every token. */
	return i < p->n ? (unsigned char)p->s[i] : 0;
}

/* Blanks between tokens (lex_blank): space, TAB, BS, CR, LF. */
static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\b' || c == '\r' || c == '\n';
}

/* POSIX [[:space:]] used by the token regexes (adds VT and FF, not BS). */
static int is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_word(int c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

static void *palloc(P *p, size_t n)
{
	void *r = fl_arena_alloc(p->a, n);
	if (!r)
		p->oom = 1;
	return r;
}

static char *pdup(P *p, const char *s, size_t n)
{
	char *r = fl_arena_strndup(p->a, s, n);
	if (!r)
		p->oom = 1;
	return r;
}

/* Pushes a pending child; -1 on OOM (p->oom set). */
static int pend_push(P *p, void *x)
{
	if (p->pend_n == p->pend_cap) {
		size_t nc = p->pend_cap ? 2 * p->pend_cap : PEND_LOCAL;
		void **nv = palloc(p, nc * sizeof *nv);
		if (!nv)
			return -1;
		if (p->pend_n)
			memcpy(nv, p->pend, p->pend_n * sizeof *nv);
		p->pend = nv;
		p->pend_cap = nc;
	}
	p->pend[p->pend_n++] = x;
	return 0;
}

/* Parts with room for n items (nitems set, no arg); NULL on OOM. */
static fl_operand_parts *mkparts(P *p, size_t n)
{
	fl_operand_parts *r = palloc(p, sizeof *r + n * sizeof r->items[0]);
	if (r)
		r->nitems = (uint32_t)n;
	return r;
}

/* Pops the operands pending above `base` into exactly sized parts (NULL
 * when there are none or on OOM). */
static fl_operand_parts *take_operands(P *p, size_t base)
{
	size_t k = p->pend_n - base;
	fl_operand_parts *r = k ? mkparts(p, k) : NULL;
	for (size_t i = 0; r && i < k; i++)
		r->items[i] = p->pend[base + i];
	p->pend_n = base;
	return r;
}

static void set_last(P *p, const char *s, uint32_t n)
{
	p->last = s;
	p->last_len = n;
}

/* ---- token matchers: length of the match at i, 0 if none ------------- */

/* IDENTIFIER  [a-zA-Z]+[a-zA-Z0-9_]* */
static uint32_t m_ident(const P *p, uint32_t i)
{
	if (!is_alpha(ch(p, i)))
		return 0;
	uint32_t j = i + 1;
	while (is_word(ch(p, j)))
		j++;
	return j - i;
}

/* FIELDNAME  IDENTIFIER (\.[a-zA-Z]+[a-zA-Z0-9_]*)+, longest match */
static uint32_t m_fieldname(const P *p, uint32_t i)
{
	uint32_t j = i + m_ident(p, i);
	int dots = 0;
	if (j == i)
		return 0;
	while (ch(p, j) == '.' && is_alpha(ch(p, j + 1))) {
		j += 2;
		while (is_word(ch(p, j)))
			j++;
		dots++;
	}
	return dots ? j - i : 0;
}

/* FIELDARG (bare)  [^][\"'[:space:]]+ */
static uint32_t m_fieldarg(const P *p, uint32_t i)
{
	uint32_t j = i;
	for (int c; (c = ch(p, j)) != 0 && !is_space(c) && c != '[' &&
		    c != ']' && c != '"' && c != '\'';)
		j++;
	return j - i;
}

/* BARESTR  [^()\"'[:space:]=,]+ */
static uint32_t m_barestr(const P *p, uint32_t i)
{
	uint32_t j = i;
	for (int c; (c = ch(p, j)) != 0 && !is_space(c) && c != '(' &&
		    c != ')' && c != '"' && c != '\'' && c != '=' && c != ',';)
		j++;
	return j - i;
}

/* HEXNUM  0[xX][0-9a-zA-Z]+  (libsinsp's regex accepts any letter) */
static uint32_t m_hexnum(const P *p, uint32_t i)
{
	if (ch(p, i) != '0' || (ch(p, i + 1) != 'x' && ch(p, i + 1) != 'X'))
		return 0;
	uint32_t j = i + 2;
	while (is_alpha(ch(p, j)) || is_digit(ch(p, j)))
		j++;
	return j > i + 2 ? j - i : 0;
}

/* NUMBER  [+-]?[0-9]+\.?[0-9]*([eE][+-][0-9]+)? */
static uint32_t m_number(const P *p, uint32_t i)
{
	uint32_t j = i;
	if (ch(p, j) == '+' || ch(p, j) == '-')
		j++;
	if (!is_digit(ch(p, j)))
		return 0;
	while (is_digit(ch(p, j)))
		j++;
	if (ch(p, j) == '.')
		j++;
	while (is_digit(ch(p, j)))
		j++;
	if ((ch(p, j) == 'e' || ch(p, j) == 'E') &&
	    (ch(p, j + 1) == '+' || ch(p, j + 1) == '-') && is_digit(ch(p, j + 2))) {
		j += 2;
		while (is_digit(ch(p, j)))
			j++;
	}
	return j - i;
}

/* "not" followed by [[:space:]]+ */
static uint32_t m_not_space(const P *p, uint32_t i)
{
	if (ch(p, i) != 'n' || ch(p, i + 1) != 'o' || ch(p, i + 2) != 't' ||
	    !is_space(ch(p, i + 3)))
		return 0;
	uint32_t j = i + 3;
	while (is_space(ch(p, j)))
		j++;
	return j - i;
}

/* The first byte is compared inline: a check is tried against every
 * operator and transformer name, and most differ there. */
static int has_prefix(const P *p, uint32_t i, const char *w, size_t n)
{
	return p->n - i >= n && i <= p->n && (n == 0 || p->s[i] == w[0]) &&
	       memcmp(p->s + i, w, n) == 0;
}

/* A transformer name immediately followed by '(' at i; -1 if none.  Names
 * are identifiers, so the name is the identifier at i: looked up once,
 * rather than every name tried at every check. */
static int m_transformer(const P *p, uint32_t i, int with_val)
{
	uint32_t n = m_ident(p, i);
	if (!n || ch(p, i + n) != '(')
		return -1;
	int t = tr_lookup(p->s + i, n);
	return t == FL_XF_VAL && !with_val ? -1 : t;
}

/* `and`/`or` that the parser would take as a keyword at i. */
static int at_keyword(const P *p, uint32_t i)
{
	uint32_t n = has_prefix(p, i, "and", 3) ? 3 : has_prefix(p, i, "or", 2) ? 2 : 0;
	return n && (is_blank(ch(p, i + n)) || ch(p, i + n) == '(');
}

/* Closing quote of the string opening at i (libsinsp: the next quote of the
 * same kind not preceded by a backslash), or 0 when unclosed. */
static uint32_t find_close(P *p, uint32_t i)
{
	int q = ch(p, i);
	int k = q == '"' ? 0 : 1;
	if (i >= p->noclose_from[k] && i < p->noclose_to[k])
		return 0;
	for (uint32_t j = i + 1; j < p->n; j++) {
		if (p->s[j] == 0) {
			p->noclose_from[k] = i;
			p->noclose_to[k] = j;
			return 0;
		}
		if ((unsigned char)p->s[j] == q && p->s[j - 1] != '\\')
			return j;
	}
	p->noclose_from[k] = i;
	p->noclose_to[k] = p->n;
	return 0;
}

/* End of the token starting at i, for error spans. */
static uint32_t tok_end(P *p, uint32_t i)
{
	if (i >= p->n)
		return p->n;
	int c = ch(p, i);
	if (c == '"' || c == '\'') {
		uint32_t q = find_close(p, i);
		return q ? q + 1 : i + 1;
	}
	uint32_t j = i + m_barestr(p, i);
	if (j == i) {
		j = i + 1;
		while (j < p->n && ((unsigned char)p->s[j] & 0xC0) == 0x80)
			j++;
	}
	return j;
}

/* ---- errors ----------------------------------------------------------- */

static void verr(P *p, uint32_t pos, uint32_t start, uint32_t end,
		 const char *fmt, va_list ap)
{
	fl_expr_error e;
	e.start = start;
	e.end = end < start ? start : end;
	e.pos = pos;
	e.msg = fl_arena_vprintf(p->a, fmt, ap);
	if (!e.msg || FL_VEC_PUSH(p->a, *p->errs, e))
		p->oom = 1;
	/* Recovery may have to close the transformer/list parentheses that
	 * are open here before it can look for the next `and`/`or`. */
	p->owe = p->tparens;
}

__attribute__((format(printf, 3, 4)))
static void err(P *p, uint32_t pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(p, pos, pos, tok_end(p, pos), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 5, 6)))
static void err_span(P *p, uint32_t pos, uint32_t start, uint32_t end,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(p, pos, start, end, fmt, ap);
	va_end(ap);
}

/* Every transformer quoted, in table order (libsinsp's), each after ", ". */
static const char tr_list[] =
#define FL_XFORM(id, name, classes, list_ok, result, min_args, max_args, since) ", '" name "'"
#include "operators.def"
#undef FL_XFORM
	;

static const char *transformer_list(void)
{
	return tr_list + 2; /* without the first ", " */
}

/* Every operator quoted, in table order (libsinsp's), each after ", ". */
static const char op_list[] =
#define FL_OP(id, text, syntax, classes, list_ok, modifiable, since) ", '" text "'"
#include "operators.def"
#undef FL_OP
	;

static const char *operator_list(void)
{
	return op_list + 2; /* without the first ", " */
}

/* ---- resynchronisation ------------------------------------------------ */

/* Skips what follows an error up to a place where parsing can go on: an
 * `and`/`or` keyword at the same nesting, the `)` of the enclosing group
 * (not consumed), or the end.  Parentheses opened by the transformer or
 * list that failed are closed first; quoted strings are skipped whole. */
static void skip_to_sync(P *p)
{
	uint32_t start = p->pos;
	unsigned owe = p->owe;
	int nest = 0;
	p->owe = 0;
	while (p->pos < p->n) {
		uint32_t i = p->pos;
		int c = ch(p, i);
		if (c == '"' || c == '\'') {
			uint32_t q = find_close(p, i);
			p->pos = q ? q + 1 : i + 1;
			continue;
		}
		if (c == '(') {
			nest++;
		} else if (c == ')') {
			if (nest > 0)
				nest--;
			else if (owe > 0)
				owe--;
			else if (p->groups > 0)
				return;
		} else if (nest == 0 &&
			   (i == start || is_blank(ch(p, i - 1)) ||
			    ch(p, i - 1) == ')') &&
			   at_keyword(p, i)) {
			return;
		}
		p->pos++;
	}
}

/* After a nesting-depth error just past '(': skip to the matching ')'. */
static void skip_balanced(P *p)
{
	unsigned nest = 1;
	while (p->pos < p->n) {
		int c = ch(p, p->pos);
		if (c == '"' || c == '\'') {
			uint32_t q = find_close(p, p->pos);
			p->pos = q ? q + 1 : p->pos + 1;
			continue;
		}
		p->pos++;
		if (c == '(')
			nest++;
		else if (c == ')' && --nest == 0)
			return;
	}
}

static int depth_in(P *p, uint32_t at)
{
	if (p->depth + 1 > p->max_depth) {
		if (!p->depth_reported)
			err_span(p, at, at, at + 1,
				 "exceeded max depth limit of %u", p->max_depth);
		p->depth_reported = 1;
		skip_balanced(p);
		return -1;
	}
	p->depth++;
	return 0;
}

/* ---- nodes ------------------------------------------------------------ */

static fl_expr *mknode(P *p, fl_expr_kind k, uint32_t start, uint32_t end)
{
	fl_expr *e = palloc(p, sizeof(*e));
	if (e) {
		e->kind = k;
		e->start = start;
		e->end = end;
	}
	return e;
}

static fl_expr *sync_error(P *p, uint32_t start)
{
	if (p->oom)
		return NULL;
	skip_to_sync(p);
	return mknode(p, FL_EXPR_ERROR, start, p->pos);
}

/* The node joining the expressions pending above `base` (the one
 * expression itself when there is only one); pops them. */
static fl_expr *mknary(P *p, fl_expr_kind k, size_t base)
{
	size_t n = p->pend_n - base;
	fl_expr *first = p->pend[base], *last = p->pend[p->pend_n - 1];
	if (n == 1) {
		p->pend_n = base;
		return first;
	}
	fl_expr *e = mknode(p, k, first->start, last->end);
	fl_expr **v = palloc(p, n * sizeof *v);
	if (!e || !v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = p->pend[base + i];
	p->pend_n = base;
	e->u.kids.v = v;
	e->u.kids.n = (uint32_t)n;
	return e;
}

static fl_operand *mkop(P *p, fl_operand_kind k, uint32_t start)
{
	fl_operand *o = palloc(p, sizeof(*o));
	if (o) {
		o->kind = (uint8_t)k;
		o->start = o->end = start;
		o->text = "";
	}
	return o;
}

/* ---- strings ---------------------------------------------------------- */

/* A quoted string at p->pos (§2.1).  Returns 0 if there is none (no quote,
 * or unclosed: nothing consumed).  Else consumes it, stores the decoded
 * text, and on a bad escape sets *bad to the escape's offset and *msg to
 * libsinsp's message (the string is still consumed, as libsinsp's cursor
 * is past it when it throws). */
static int lex_quoted(P *p, const char **out, uint32_t *outlen,
		      uint32_t *bad, const char **msg)
{
	uint32_t i = p->pos;
	int q = ch(p, i);
	if (q != '"' && q != '\'')
		return 0;
	uint32_t close = find_close(p, i);
	if (!close)
		return 0;
	char *buf = palloc(p, close - i);
	if (!buf)
		return 0;
	uint32_t n = 0;
	*bad = UINT32_MAX;
	*msg = NULL;
	for (uint32_t j = i + 1; j < close; j++) {
		int c = (unsigned char)p->s[j];
		if (c != '\\') {
			buf[n++] = (char)c;
			continue;
		}
		int e = (unsigned char)p->s[++j];
		const char *m = NULL;
		switch (e) {
		case 'b': buf[n++] = '\b'; break;
		case 'f': buf[n++] = '\f'; break;
		case 'n': buf[n++] = '\n'; break;
		case 'r': buf[n++] = '\r'; break;
		case 't': buf[n++] = '\t'; break;
		case ' ': /* legacy: backslash-space is one backslash */
		case '\\': buf[n++] = '\\'; break;
		case '/': buf[n++] = '/'; break;
		case '"':
			if (q != '"')
				m = "invalid \\\" escape in '-quoted string";
			buf[n++] = '"';
			break;
		case '\'':
			if (q != '\'')
				m = "invalid \\' escape in \"-quoted string";
			buf[n++] = '\'';
			break;
		default:
			m = fl_arena_printf(p->a, "unsupported string escape sequence: \\%c",
					    e ? e : '?');
			if (!m)
				p->oom = 1;
			buf[n++] = '\\';
			buf[n++] = (char)e;
			break;
		}
		if (m && !*msg) {
			*msg = m;
			*bad = j - 1;
		}
	}
	buf[n] = 0;
	*out = buf;
	*outlen = n;
	p->pos = close + 1;
	set_last(p, buf, n);
	return 1;
}

/* A quoted string, recording a bad escape as an error (libsinsp throws
 * there; we keep the best-effort text and go on). */
static int quoted_or_err(P *p, const char **out, uint32_t *outlen)
{
	uint32_t bad;
	const char *msg;
	if (!lex_quoted(p, out, outlen, &bad, &msg))
		return 0;
	if (msg)
		err_span(p, p->pos, bad, bad + 2, "%s", msg);
	return 1;
}

static fl_operand *value_op(P *p, uint32_t start, const char *text,
			    uint32_t len, int quoted, int numeric)
{
	fl_operand *o = mkop(p, FL_OPERAND_VALUE, start);
	if (!o)
		return NULL;
	o->text = text;
	o->len = len;
	o->quoted = (uint8_t)quoted;
	o->numeric = (uint8_t)numeric;
	o->end = p->pos;
	return o;
}

/* Consumes a bare token of length n as a VALUE. */
static fl_operand *bare_value(P *p, uint32_t n, int numeric)
{
	uint32_t s = p->pos;
	char *t = pdup(p, p->s + s, n);
	if (!t)
		return NULL;
	set_last(p, p->s + s, n);
	p->pos += n;
	return value_op(p, s, t, n, 0, numeric);
}

/* QUOTED | BARESTR, no error recorded when absent. */
static fl_operand *str_value(P *p)
{
	uint32_t s = p->pos;
	const char *t;
	uint32_t n;
	if (quoted_or_err(p, &t, &n))
		return value_op(p, s, t, n, 1, 0);
	if (p->oom)
		return NULL;
	n = m_barestr(p, s);
	return n ? bare_value(p, n, 0) : NULL;
}

/* ---- operands --------------------------------------------------------- */

static fl_operand *parse_transformer(P *p, int tr, uint32_t start);

/* "[" ( QUOTED | FIELDARG ) "]" right after field or transformer `o`:
 * becomes the arg of o's parts (NULL: o has none yet).  0 when there is
 * no "[" or the arg was added, -1 on error. */
static int field_arg(P *p, fl_operand *o, fl_operand_parts *parts)
{
	uint32_t s = p->pos, v;
	const char *t;
	uint32_t n;
	int quoted = 0;
	if (ch(p, s) != '[')
		return 0;
	set_last(p, p->s + s, 1);
	v = ++p->pos;
	if (quoted_or_err(p, &t, &n)) {
		quoted = 1;
	} else if (p->oom) {
		return -1;
	} else if ((n = m_fieldarg(p, p->pos)) != 0) {
		t = pdup(p, p->s + p->pos, n);
		if (!t)
			return -1;
		set_last(p, p->s + p->pos, n);
		p->pos += n;
	} else {
		err(p, p->pos, "expected a valid field argument: a quoted string or a bare string");
		return -1;
	}
	if (ch(p, p->pos) != ']') {
		err(p, p->pos, "expected a ']' token");
		return -1;
	}
	fl_operand *a = value_op(p, v, t, n, quoted, 0); /* ends at the ']' */
	if (!a || (!parts && !(parts = mkparts(p, 0))))
		return -1;
	set_last(p, p->s + p->pos, 1);
	p->pos++;
	parts->arg = a;
	o->parts = parts;
	o->end = p->pos;
	return 0;
}

/* field_ref = FIELDNAME [ "[" arg "]" ]  — the name is n bytes at pos. */
static fl_operand *parse_field(P *p, uint32_t n)
{
	uint32_t s = p->pos;
	fl_operand *o = mkop(p, FL_OPERAND_FIELD, s);
	if (!o || !(o->text = pdup(p, p->s + s, n)))
		return NULL;
	o->len = n;
	o->end = s + n;
	set_last(p, p->s + s, n);
	p->pos += n;
	if (field_arg(p, o, NULL) < 0)
		return NULL;
	return o;
}

/* tl_item = field_ref | transformer | QUOTED | HEXNUM | NUMBER */
static fl_operand *parse_targ_item(P *p, int allow_list);

/* tlist = "(" [ tl_item { "," tl_item } ] ")"  — after "(" */
static fl_operand *parse_tlist(P *p, uint32_t start)
{
	size_t base = p->pend_n;
	if (depth_in(p, start))
		return NULL;
	p->tparens++;
	fl_operand *o = mkop(p, FL_OPERAND_LIST, start);
	if (!o)
		goto fail;
	while (is_blank(ch(p, p->pos)))
		p->pos++;
	if (ch(p, p->pos) != ')') {
		for (;;) {
			fl_operand *it = parse_targ_item(p, 0);
			if (!it || pend_push(p, it))
				goto fail;
			while (is_blank(ch(p, p->pos)))
				p->pos++;
			if (ch(p, p->pos) != ',')
				break;
			p->pos++;
			while (is_blank(ch(p, p->pos)))
				p->pos++;
		}
		if (ch(p, p->pos) != ')') {
			err(p, p->pos, "expected a ')' token");
			goto fail;
		}
	}
	set_last(p, p->s + p->pos, 1);
	p->pos++;
	p->tparens--;
	p->depth--;
	o->parts = take_operands(p, base);
	o->end = p->pos;
	return o;
fail:
	p->pend_n = base;
	p->tparens--;
	p->depth--;
	return NULL;
}

static fl_operand *parse_targ_item(P *p, int allow_list)
{
	uint32_t s = p->pos;
	const char *t;
	uint32_t n;
	int tr = m_transformer(p, s, 0);
	if (tr >= 0) {
		size_t tn = tr_table[tr].len + 1;
		set_last(p, p->s + s, (uint32_t)tn);
		p->pos += (uint32_t)tn;
		return parse_transformer(p, tr, s);
	}
	if ((n = m_fieldname(p, s)) != 0)
		return parse_field(p, n);
	if (quoted_or_err(p, &t, &n))
		return value_op(p, s, t, n, 1, 0);
	if (p->oom)
		return NULL;
	if ((n = m_hexnum(p, s)) != 0 || (n = m_number(p, s)) != 0)
		return bare_value(p, n, 1);
	if (allow_list && ch(p, s) == '(') {
		set_last(p, p->s + s, 1);
		p->pos++;
		return parse_tlist(p, s);
	}
	err(p, s, "expected a transformer argument: a field, a transformer, "
		  "a quoted string, a number or a list");
	return NULL;
}

/* transformer = TNAME "(" B? targ { B? "," B? targ } B? ")" [ "[" arg "]" ]
 * — called after "TNAME(" was consumed; `start` is where TNAME begins. */
static fl_operand *parse_transformer(P *p, int tr, uint32_t start)
{
	size_t base = p->pend_n;
	if (depth_in(p, start))
		return NULL;
	p->tparens++;
	fl_operand *o = mkop(p, FL_OPERAND_TRANSFORMER, start);
	if (!o)
		goto fail;
	o->tr = (uint8_t)tr;
	o->text = tr_table[tr].name;
	o->len = (uint32_t)strlen(o->text);
	for (;;) {
		while (is_blank(ch(p, p->pos)))
			p->pos++;
		fl_operand *a = parse_targ_item(p, 1);
		if (!a || pend_push(p, a))
			goto fail;
		while (is_blank(ch(p, p->pos)))
			p->pos++;
		if (ch(p, p->pos) != ',')
			break;
		set_last(p, p->s + p->pos, 1);
		p->pos++;
	}
	if (ch(p, p->pos) != ')') {
		err(p, p->pos, "expected a ')' token closing the transformer");
		goto fail;
	}
	set_last(p, p->s + p->pos, 1);
	p->pos++;
	p->tparens--;
	p->depth--;
	fl_operand_parts *parts = take_operands(p, base);
	o->parts = parts;
	o->end = p->pos;
	if (field_arg(p, o, parts) < 0)
		return NULL;
	return o;
fail:
	p->pend_n = base;
	p->tparens--;
	p->depth--;
	return NULL;
}

/* rhs_field = "val(" B? field_ref B? ")" | transformer.  *matched tells
 * whether one started (then NULL means an error was recorded). */
static fl_operand *try_rhs_field(P *p, int *matched)
{
	uint32_t s = p->pos;
	uint32_t n;
	*matched = 0;
	int tr = m_transformer(p, s, 1);
	if (tr < 0)
		return NULL;
	*matched = 1;
	n = tr_table[tr].len + 1;
	set_last(p, p->s + s, n);
	p->pos += n;
	if (tr != FL_XF_VAL) {
		while (is_blank(ch(p, p->pos)))
			p->pos++;
		return parse_transformer(p, tr, s);
	}
	if (depth_in(p, s))
		return NULL;
	p->tparens++;
	fl_operand *o = mkop(p, FL_OPERAND_TRANSFORMER, s), *f = NULL;
	while (is_blank(ch(p, p->pos)))
		p->pos++;
	if (!o)
		goto fail;
	if ((n = m_fieldname(p, p->pos)) == 0) {
		err(p, p->pos, "expected a field within 'val' transformer");
		goto fail;
	}
	if (!(f = parse_field(p, n)))
		goto fail;
	while (is_blank(ch(p, p->pos)))
		p->pos++;
	if (ch(p, p->pos) != ')') {
		err(p, p->pos, "expected a ')' token closing the transformer");
		goto fail;
	}
	set_last(p, p->s + p->pos, 1);
	p->pos++;
	p->tparens--;
	p->depth--;
	o->tr = FL_XF_VAL;
	o->text = "val";
	o->len = 3;
	fl_operand_parts *parts = mkparts(p, 1);
	if (!parts)
		return NULL;
	parts->items[0] = f;
	o->parts = parts;
	o->end = p->pos;
	return o;
fail:
	p->tparens--;
	p->depth--;
	return NULL;
}

/* After an error inside a list literal: skip to its ')' (consumed) unless
 * an `and`/`or` or the end comes first. */
static void skip_list_rest(P *p)
{
	uint32_t start = p->pos;
	int nest = 0;
	p->owe = 0;
	while (p->pos < p->n) {
		uint32_t i = p->pos;
		int c = ch(p, i);
		if (c == '"' || c == '\'') {
			uint32_t q = find_close(p, i);
			p->pos = q ? q + 1 : i + 1;
			continue;
		}
		if (c == ')') {
			p->pos++;
			if (nest-- == 0)
				return;
			continue;
		}
		if (c == '(')
			nest++;
		if ((i == start || is_blank(ch(p, i - 1))) && at_keyword(p, i))
			return;
		p->pos++;
	}
}

/* list_literal = "(" B? [ strval { B? "," B? strval } ] B? ")"  — after
 * "(".  libsinsp treats any failure on the first item as "empty list", even
 * a bad escape (its cursor is then past the string), and then wants ")". */
static fl_operand *parse_list_literal(P *p, uint32_t start)
{
	size_t base = p->pend_n;
	fl_operand *o = mkop(p, FL_OPERAND_LIST, start), *it;
	if (!o)
		return NULL;
	while (is_blank(ch(p, p->pos)))
		p->pos++;
	uint32_t bad;
	const char *msg, *t;
	uint32_t n, s = p->pos;
	it = NULL;
	if (lex_quoted(p, &t, &n, &bad, &msg)) {
		if (!msg)
			it = value_op(p, s, t, n, 1, 0);
	} else if (!p->oom && (n = m_barestr(p, s)) != 0) {
		it = bare_value(p, n, 0);
	}
	if (p->oom)
		return NULL;
	if (it) {
		if (pend_push(p, it))
			return NULL;
		while (is_blank(ch(p, p->pos)))
			p->pos++;
		while (ch(p, p->pos) == ',') {
			set_last(p, p->s + p->pos, 1);
			p->pos++;
			while (is_blank(ch(p, p->pos)))
				p->pos++;
			if (!(it = str_value(p))) {
				if (p->oom)
					return NULL;
				err(p, p->pos, "expected a string value");
				skip_list_rest(p);
				goto done;
			}
			if (pend_push(p, it))
				return NULL;
			while (is_blank(ch(p, p->pos)))
				p->pos++;
		}
	}
	if (ch(p, p->pos) != ')') {
		err(p, p->pos, "expected a ')' token");
		skip_list_rest(p);
		goto done;
	}
	set_last(p, p->s + p->pos, 1);
	p->pos++;
done:
	o->parts = take_operands(p, base);
	o->end = p->pos;
	return o;
}

static fl_operand *ident_op(P *p, uint32_t n)
{
	uint32_t s = p->pos;
	fl_operand *o = mkop(p, FL_OPERAND_IDENT, s);
	if (!o || !(o->text = pdup(p, p->s + s, n)))
		return NULL;
	o->len = n;
	o->end = s + n;
	set_last(p, p->s + s, n);
	p->pos += n;
	return o;
}

/* ---- checks ----------------------------------------------------------- */

/* The binary operator at p->pos (table order; a word operator needs a
 * blank after it, else the next one is tried); -1 if none. */
static int lex_binop(P *p)
{
	for (int op = 0; op < FL_NOPS; op++) {
		const fl_opinfo *o = &fl_op_table[op];
		if (o->text[0] != ch(p, p->pos) || o->syntax == FL_OPSYN_UNARY)
			continue; /* first character first: most operators differ there */
		size_t n = o->len;
		if (!has_prefix(p, p->pos, o->text, n))
			continue;
		if (o->syntax == FL_OPSYN_STR && is_alpha(o->text[0]) &&
		    !is_blank(ch(p, p->pos + (uint32_t)n)))
			continue;
		set_last(p, p->s + p->pos, (uint32_t)n);
		p->pos += (uint32_t)n;
		return op;
	}
	return -1;
}

/* str_op modifier list_value (Falco 0.44): taken only when a blank precedes
 * the modifier, one follows it, and a list or an identifier other than
 * and/or/not comes next; otherwise the word is an ordinary value. */
static int try_modifier(P *p, int blank_before, uint32_t *mod_end)
{
	uint32_t i = p->pos;
	while (is_blank(ch(p, i))) {
		i++;
		blank_before = 1;
	}
	if (!blank_before)
		return 0;
	for (int m = FL_MOD_NONE + 1; m < FL_NMODIFIERS; m++) {
		const char *t = fl_modifier_text((fl_modifier)m);
		uint32_t tn = (uint32_t)strlen(t);
		if (!has_prefix(p, i, t, tn) || !is_blank(ch(p, i + tn)))
			continue;
		uint32_t j = i + tn;
		while (is_blank(ch(p, j)))
			j++;
		if (ch(p, j) != '(') {
			uint32_t n = m_ident(p, j);
			if (!n || (n == 3 && (has_prefix(p, j, "and", 3) ||
					      has_prefix(p, j, "not", 3))) ||
			    (n == 2 && has_prefix(p, j, "or", 2)))
				return 0;
		}
		set_last(p, p->s + i, tn);
		*mod_end = i + tn;
		p->pos = j;
		return m;
	}
	return 0;
}

/* predicate (after the left operand; see the grammar in expr.h's spec). */
static fl_expr *parse_predicate(P *p, fl_operand *lhs, uint32_t start)
{
	fl_operand *rhs = NULL;
	int matched, mod = 0;
	uint32_t n;
	while (is_blank(ch(p, p->pos)))
		p->pos++;
	uint32_t ops = p->pos, ope;
	int op;
	if (has_prefix(p, ops, "exists", 6)) {
		set_last(p, p->s + ops, 6);
		p->pos += 6;
		op = FL_OP_EXISTS;
		ope = p->pos;
		goto build;
	}
	if ((op = lex_binop(p)) < 0) {
		err(p, ops, "expected a valid check operator: one of %s", operator_list());
		return sync_error(p, start);
	}
	ope = p->pos;
	switch (fl_op_table[op].syntax) {
	case FL_OPSYN_NUM:
		while (is_blank(ch(p, p->pos)))
			p->pos++;
		rhs = try_rhs_field(p, &matched);
		if (matched)
			break;
		if ((n = m_hexnum(p, p->pos)) != 0 || (n = m_number(p, p->pos)) != 0) {
			rhs = bare_value(p, n, 1);
			break;
		}
		err(p, p->pos, "expected a number value or a field with a valid transformer: %s",
		    transformer_list());
		break;
	case FL_OPSYN_STR:
		mod = try_modifier(p, is_alpha(fl_op_table[op].text[0]), &ope);
		if (mod) {
			uint32_t s = p->pos;
			if (ch(p, s) == '(') {
				set_last(p, p->s + s, 1);
				p->pos++;
				rhs = parse_list_literal(p, s);
			} else {
				rhs = ident_op(p, m_ident(p, s));
			}
			break;
		}
		while (is_blank(ch(p, p->pos)))
			p->pos++;
		rhs = try_rhs_field(p, &matched);
		if (matched)
			break;
		if (!(rhs = str_value(p)) && !p->oom)
			err(p, p->pos, "expected a string value or a field with a valid transformer: %s",
			    transformer_list());
		break;
	case FL_OPSYN_LIST:
		while (is_blank(ch(p, p->pos)))
			p->pos++;
		if (ch(p, p->pos) == '(') {
			uint32_t s = p->pos;
			set_last(p, p->s + s, 1);
			p->pos++;
			rhs = parse_list_literal(p, s);
			break;
		}
		rhs = try_rhs_field(p, &matched);
		if (matched)
			break;
		if ((n = m_ident(p, p->pos)) != 0) {
			rhs = ident_op(p, n);
			break;
		}
		err(p, p->pos, "expected a list, an identifier, or a field with a valid transformer: %s",
		    transformer_list());
		break;
	default:
		break;
	}
	if (!rhs)
		return sync_error(p, start);
build:;
	fl_expr *e = mknode(p, FL_EXPR_CHECK, start, rhs ? rhs->end : ope);
	if (!e)
		return NULL;
	e->u.check.lhs = lhs;
	e->u.check.op = (fl_op)op;
	e->u.check.mod = (fl_modifier)mod;
	e->u.check.op_start = ops;
	e->u.check.op_end = ope;
	e->u.check.rhs = rhs;
	return e;
}

static fl_expr *parse_or(P *p, int *junked);

/* "(" B? or_expr B? ")"  — after "("; the group adds no node. */
static fl_expr *parse_group(P *p, uint32_t open)
{
	int junked = 0;
	if (depth_in(p, open))
		return p->oom ? NULL : mknode(p, FL_EXPR_ERROR, open, p->pos);
	p->groups++;
	fl_expr *e = parse_or(p, &junked);
	p->groups--;
	p->depth--;
	if (!e)
		return NULL;
	while (is_blank(ch(p, p->pos)))
		p->pos++;
	if (ch(p, p->pos) == ')') {
		set_last(p, p->s + p->pos, 1);
		p->pos++;
		e->parens++;
	} else if (!junked && !(p->errs->n && p->errs->v[p->errs->n - 1].pos == p->pos &&
				 strcmp(p->errs->v[p->errs->n - 1].msg, "expected a ')' token") == 0)) {
		/* one report for a run of unclosed groups ending together */
		err_span(p, p->pos, open, open + 1, "expected a ')' token");
	}
	return e;
}

/* check = "(" B? or_expr B? ")" | field_ref predicate
 *       | transformer predicate | IDENTIFIER */
static fl_expr *parse_check(P *p)
{
	while (is_blank(ch(p, p->pos)))
		p->pos++;
	uint32_t s = p->pos, n;
	fl_operand *lhs;
	if (ch(p, s) == '(') {
		set_last(p, p->s + s, 1);
		p->pos++;
		return parse_group(p, s);
	}
	if ((n = m_fieldname(p, s)) != 0) {
		if (!(lhs = parse_field(p, n)))
			return sync_error(p, s);
		return parse_predicate(p, lhs, s);
	}
	int tr = m_transformer(p, s, 0);
	if (tr >= 0) {
		n = tr_table[tr].len + 1;
		set_last(p, p->s + s, n);
		p->pos += n;
		while (is_blank(ch(p, p->pos)))
			p->pos++;
		if (!(lhs = parse_transformer(p, tr, s)))
			return sync_error(p, s);
		return parse_predicate(p, lhs, s);
	}
	if ((n = m_ident(p, s)) != 0) {
		fl_expr *e = mknode(p, FL_EXPR_MACRO, s, s + n);
		if (!e || !(e->u.macro.name = pdup(p, p->s + s, n)))
			return NULL;
		e->u.macro.len = n;
		set_last(p, p->s + s, n);
		p->pos += n;
		return e;
	}
	err(p, s, "expected a '(' token, a field check, or an identifier");
	return sync_error(p, s);
}

/* not_expr = { "not" WS+ } ( "not(" B? or_expr B? ")" | check )
 * An even number of `not` cancels out (no node). */
static fl_expr *parse_not(P *p)
{
	while (is_blank(ch(p, p->pos)))
		p->pos++;
	uint32_t s = p->pos, n;
	int neg = 0;
	fl_expr *c;
	while ((n = m_not_space(p, p->pos)) != 0) {
		set_last(p, p->s + p->pos, n);
		p->pos += n;
		neg ^= 1;
	}
	if (has_prefix(p, p->pos, "not(", 4)) {
		set_last(p, p->s + p->pos, 4);
		p->pos += 4;
		neg ^= 1;
		c = parse_group(p, p->pos - 1);
	} else {
		c = parse_check(p);
	}
	if (!c || !neg)
		return c;
	fl_expr *e = mknode(p, FL_EXPR_NOT, s, c->end);
	if (e)
		e->u.child = c;
	return e;
}

/* The operand after `and`/`or` written without a blank (kw = keyword
 * offset, len its length): "(" directly makes the group the whole operand,
 * bypassing precedence (`a or(b) and c` fails); anything else is an error. */
static fl_expr *keyword_operand(P *p, uint32_t kw, uint32_t len, int is_or)
{
	if (ch(p, p->pos) == '(') {
		set_last(p, p->s + p->pos, 1);
		p->pos++;
		return parse_group(p, p->pos - 1);
	}
	err_span(p, p->pos, kw, kw + len, "expected blank or '(' after '%s'",
		 is_or ? "or" : "and");
	return sync_error(p, kw);
}

static int push(P *p, fl_expr *e)
{
	return e ? pend_push(p, e) : -1;
}

/* and_expr = not_expr { "and" ( B not_expr | "(" B? or_expr B? ")" ) }
 * `first`, when given, is an operand already parsed (error recovery). */
static fl_expr *parse_and(P *p, fl_expr *first)
{
	size_t base = p->pend_n;
	if (push(p, first ? first : parse_not(p)))
		return NULL;
	for (;;) {
		while (is_blank(ch(p, p->pos)))
			p->pos++;
		uint32_t kw = p->pos;
		if (!has_prefix(p, kw, "and", 3))
			break;
		set_last(p, p->s + kw, 3);
		p->pos += 3;
		int blank = is_blank(ch(p, p->pos));
		fl_expr *c = blank ? parse_not(p) : keyword_operand(p, kw, 3, 0);
		if (push(p, c))
			return NULL;
	}
	return mknary(p, FL_EXPR_AND, base);
}

/* or_expr = and_expr { "or" ( B and_expr | "(" B? or_expr B? ")" ) }
 * Also reports what follows a complete operand but is neither `and`, `or`,
 * the group's ")" nor the end (libsinsp's "unexpected token" / "expected a
 * ')' token"), skips it and goes on. */
static fl_expr *parse_or(P *p, int *junked)
{
	size_t base = p->pend_n;
	while (is_blank(ch(p, p->pos)))
		p->pos++;
	if (push(p, parse_and(p, NULL)))
		return NULL;
	for (;;) {
		while (is_blank(ch(p, p->pos)))
			p->pos++;
		uint32_t kw = p->pos;
		if (has_prefix(p, kw, "or", 2)) {
			set_last(p, p->s + kw, 2);
			p->pos += 2;
			int blank = is_blank(ch(p, p->pos));
			fl_expr *c = blank ? parse_and(p, NULL) : keyword_operand(p, kw, 2, 1);
			if (push(p, c))
				return NULL;
			continue;
		}
		if (p->pos >= p->n || (p->groups > 0 && ch(p, p->pos) == ')'))
			break;
		if (p->groups > 0)
			err(p, p->pos, "expected a ')' token");
		else
			err(p, p->pos, "unexpected token after '%.*s', expecting 'or', 'and'",
			    (int)p->last_len, p->last ? p->last : "");
		*junked = 1;
		p->owe = 0;
		uint32_t before = p->pos;
		skip_to_sync(p);
		if (p->pos == before && !at_keyword(p, p->pos) && p->pos < p->n &&
		    !(p->groups > 0 && ch(p, p->pos) == ')'))
			p->pos++;
		if (has_prefix(p, p->pos, "and", 3) && at_keyword(p, p->pos)) {
			/* `a or(b) and c`: continue the and-chain of the last
			 * operand, the reading the author most likely meant */
			fl_expr *last = p->pend[--p->pend_n];
			if (push(p, parse_and(p, last)))
				return NULL;
		}
	}
	return mknary(p, FL_EXPR_OR, base);
}

fl_expr *fl_expr_parse(fl_arena *a, const char *text, uint32_t len,
		       unsigned max_depth, fl_expr_errors *errs)
{
	P p;
	void *pend[PEND_LOCAL];
	memset(&p, 0, sizeof(p));
	p.a = a;
	p.s = text;
	p.n = len;
	p.errs = errs;
	p.pend = pend;
	p.pend_cap = PEND_LOCAL;
	p.max_depth = max_depth ? max_depth : FL_EXPR_DEFAULT_DEPTH;
	if (p.max_depth > FL_EXPR_MAX_DEPTH)
		p.max_depth = FL_EXPR_MAX_DEPTH;
	p.noclose_from[0] = p.noclose_from[1] = UINT32_MAX;
	p.last = "";
	if (len == 0) {
		err_span(&p, 0, 0, 0, "filter input string is empty");
		fl_expr *e = mknode(&p, FL_EXPR_ERROR, 0, 0);
		return p.oom ? NULL : e;
	}
	int junked = 0;
	fl_expr *root = parse_or(&p, &junked);
	return p.oom ? NULL : root;
}

/* ---- list substitution (condition-language §6) ----------------------- */

static int l_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The bytes that end a token for list substitution: a table, as the
 * substitution looks at every byte of every condition. */
static const unsigned char delim_byte[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
	['('] = 1, [')'] = 1, [','] = 1, ['='] = 1,
};

static int l_delim(int c)
{
	return delim_byte[c];
}

int fl_quote_item_needed(const char *s, size_t n)
{
	return n && memchr(s, ' ', n) && s[0] != '"' && s[0] != '\'';
}

static void put_item(fl_text_builder *b, const char *it, fl_pos at)
{
	size_t n = strlen(it);
	int q = fl_quote_item_needed(it, n);
	if (q)
		fl_tbuild_put(b, "\"", 1, at);
	fl_tbuild_put(b, it, n, at);
	if (q)
		fl_tbuild_put(b, "\"", 1, at);
}

const char *fl_memmem(const char *hay, size_t n, const char *nd, size_t nn)
{
	if (nn == 0)
		return NULL;
	while (n >= nn) {
		const char *c = memchr(hay, nd[0], n - nn + 1);
		if (!c)
			return NULL;
		if (memcmp(c, nd, nn) == 0)
			return c;
		n -= (size_t)(c - hay) + 1;
		hay = c + 1;
	}
	return NULL;
}

/* The working buffers of one substitution, in a scratch arena: `w` holds
 * the current text once a list replaced something (owned = 1), `tmp` the
 * part of it a pass rewrites.  A pass keeps the text before its first
 * match where it is and rebuilds only the rest, so the buffers are reused
 * and memory stays proportional to the longest text, not to the number of
 * passes (each pass used to leave a whole copy behind). */
typedef struct subst_bufs {
	fl_text_builder w, tmp;
	int owned;
	size_t work;      /* bytes rebuilt by the passes so far */
} subst_bufs;

/* subst_one()'s status when b->w went over its max. */
#define SUBST_OVER 2

/* One resolve_list() pass of list `l` over cur (cur is the input, or w's
 * text when owned); 1 if it replaced, 0 if not, SUBST_OVER, or
 * FL_ENOMEM. */
static int subst_one(subst_bufs *b, fl_text *cur, const fl_list_def *l)
{
	/* byte j of s is byte base + j of the text `in` (positions) */
	fl_text in = *cur;
	const char *s = cur->s;
	uint32_t base = 0;
	size_t n = cur->len, nl = l->name_len, tail = 0, search = 0;
	size_t kept = 0;  /* bytes of out left in place */
	fl_text_builder *out = &b->w;
	int used = 0;
	if (nl == 0)
		return 0;
	while (search < n) {
		const char *m = fl_memmem(s + search, n - search, l->name, nl);
		if (!m)
			break;
		size_t mi = (size_t)(m - s), e = mi + nl, st = mi;
		int before = mi > tail ? l_delim((unsigned char)s[mi - 1])
			   : used && out->n ? l_delim((unsigned char)out->s[out->n - 1]) : 1;
		if (!before || (e < n && !l_delim((unsigned char)s[e]))) {
			search = mi + 1;
			continue;
		}
		if (!used) {
			/* First replacement: out takes s[0..mi) and the rest
			 * becomes the source, so that indices restart at 0.
			 * Every check below sees the same bytes as on the
			 * whole text (what precedes mi is at the end of out). */
			if (b->owned) {
				/* s is out's own text: keep its prefix in place,
				 * move the rest (and the end position) to tmp */
				fl_tbuild_truncate(&b->tmp, 0);
				b->tmp.with_pos = in.runs != NULL;
				fl_tbuild_copy(&b->tmp, &in, (uint32_t)mi, (uint32_t)n,
					       fl_text_pos(&in, (uint32_t)n));
				if (fl_tbuild_done(&b->tmp, &in))
					return FL_ENOMEM;
				fl_tbuild_truncate(out, mi);
				s = in.s;
				base = 0;
			} else {
				out->with_pos = in.runs != NULL;
				fl_tbuild_copy(out, &in, 0, (uint32_t)mi, fl_text_pos(&in, (uint32_t)mi));
				s += mi;
				base = (uint32_t)mi;
			}
			if (b->owned) {
				b->work += n - mi;
				kept = mi;
			}
			n -= mi;
			e -= mi;
			mi = st = 0;
			used = 1;
		}
		/* absorb blanks around the name, into already-built text too */
		while (st > tail && l_blank((unsigned char)s[st - 1]))
			st--;
		if (st == tail) {
			size_t k = out->n;
			while (k && l_blank((unsigned char)out->s[k - 1]))
				k--;
			fl_tbuild_truncate(out, k);
		}
		while (e < n && l_blank((unsigned char)s[e]))
			e++;
		if (l->nitems == 0) {
			/* an empty list also takes one neighbouring comma */
			if (st > tail && s[st - 1] == ',')
				st--;
			else if (st == tail && out->n && out->s[out->n - 1] == ',')
				fl_tbuild_truncate(out, out->n - 1);
			else if (e < n && s[e] == ',')
				e++;
		}
		fl_pos at = in.runs ? fl_text_pos(&in, base + (uint32_t)mi) : (fl_pos){0, 0};
		fl_tbuild_copy(out, &in, base + (uint32_t)tail, base + (uint32_t)st, at);
		int prefix = out->n > 0;
		if (prefix)
			fl_tbuild_put(out, " ", 1, at);
		for (size_t i = 0; i < l->nitems && !out->over; i++) {
			if (i)
				fl_tbuild_put(out, ", ", 2, at);
			put_item(out, l->items[i], at);
		}
		fl_tbuild_put(out, " ", 1, at);
		if (out->oom || out->over)
			break;
		tail = e;
		/* resolve_list() resumes one byte further when the match
		 * was at the very start of the text */
		search = e + (prefix ? 0 : 1);
	}
	if (!used)
		return 0;
	/* the position at len, just past the last byte, is the input's end */
	fl_pos end = in.runs ? fl_text_pos(&in, base + (uint32_t)n) : (fl_pos){0, 0};
	fl_tbuild_copy(out, &in, base + (uint32_t)tail, base + (uint32_t)n, end);
	b->work += out->n > kept ? out->n - kept : 0; /* blanks before mi may go */
	int rc = fl_tbuild_done(out, cur);
	if (rc)
		return rc < 0 ? FL_ENOMEM : SUBST_OVER;
	b->owned = 1;
	return 1;
}

/* ---- list name index ------------------------------------------------ */

/* A delimited occurrence of a name holding no delimiter byte is exactly a
 * maximal delimiter-free token equal to it; the index maps such tokens to
 * lists, so that a substitution visits only the lists its text names
 * instead of searching the text for every list. */
struct fl_list_index {
	size_t n, cap;            /* lists; table slots (power of two) */
	const char **names;
	uint32_t *lens;
	uint32_t *tab;            /* slot -> first list of a name + 1, 0 = free */
	uint32_t *next;           /* list -> next list of the same name + 1 */
	uint32_t *always;         /* lists whose names hold a delimiter */
	size_t nalways;
	uint32_t *mark;           /* list -> epoch it was last queued in */
	uint32_t epoch;
};

static uint64_t hash_n(const char *s, size_t n, int pre, int suf)
{
	unsigned char p = (unsigned char)pre, q = (unsigned char)suf;
	uint64_t h = FL_HASH_INIT;
	if (pre >= 0)
		h = fl_hash_bytes(h, &p, 1);
	h = fl_hash_bytes(h, s, n);
	if (suf >= 0)
		h = fl_hash_bytes(h, &q, 1);
	return h;
}

static int has_delim(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (l_delim((unsigned char)s[i]))
			return 1;
	return 0;
}

fl_list_index *fl_list_index_new(fl_arena *a, const fl_list_def *lists, size_t n)
{
	if (n >= UINT32_MAX)
		return NULL;
	fl_list_index *x = fl_arena_alloc(a, sizeof *x);
	if (!x)
		return NULL;
	size_t cap = 16;
	while (cap < n * 2)
		cap *= 2;
	size_t m = n ? n : 1;
	x->n = n;
	x->cap = cap;
	x->names = fl_arena_alloc(a, m * sizeof *x->names);
	x->lens = fl_arena_alloc(a, m * sizeof *x->lens);
	x->tab = fl_arena_alloc(a, cap * sizeof *x->tab);
	x->next = fl_arena_alloc(a, m * sizeof *x->next);
	x->always = fl_arena_alloc(a, m * sizeof *x->always);
	x->mark = fl_arena_alloc(a, m * sizeof *x->mark);
	if (!x->names || !x->lens || !x->tab || !x->next || !x->always || !x->mark)
		return NULL;
	memset(x->tab, 0, cap * sizeof *x->tab);
	memset(x->mark, 0, m * sizeof *x->mark);
	x->nalways = 0;
	x->epoch = 0;
	/* chains are built back to front so that each runs in list order */
	for (size_t k = n; k-- > 0;) {
		const fl_list_def *l = &lists[k];
		x->names[k] = l->name;
		x->lens[k] = l->name_len;
		x->next[k] = 0;
		if (!l->name_len || has_delim(l->name, l->name_len))
			continue;
		size_t h = (size_t)hash_n(l->name, l->name_len, -1, -1) & (cap - 1);
		while (x->tab[h]) {
			uint32_t o = x->tab[h] - 1;
			if (x->lens[o] == l->name_len && memcmp(x->names[o], l->name, l->name_len) == 0)
				break;
			h = (h + 1) & (cap - 1);
		}
		x->next[k] = x->tab[h];
		x->tab[h] = (uint32_t)k + 1;
	}
	for (size_t k = 0; k < n; k++)
		if (lists[k].name_len && has_delim(lists[k].name, lists[k].name_len))
			x->always[x->nalways++] = (uint32_t)k;
	return x;
}

/* The first list (+1) named s[0..n) with the optional bytes pre before
 * and suf after it (a quoted item's quotes); 0 when none. */
static uint32_t idx_lookup(const fl_list_index *x, const char *s, size_t n, int pre, int suf)
{
	size_t len = n + (pre >= 0) + (suf >= 0);
	if (!len || !x->n)
		return 0;
	size_t h = (size_t)hash_n(s, n, pre, suf) & (x->cap - 1);
	while (x->tab[h]) {
		uint32_t o = x->tab[h] - 1;
		const char *nm = x->names[o];
		if (x->lens[o] == len && (pre < 0 || (unsigned char)nm[0] == pre) &&
		    memcmp(nm + (pre >= 0), s, n) == 0 &&
		    (suf < 0 || (unsigned char)nm[len - 1] == suf))
			return x->tab[h];
		h = (h + 1) & (x->cap - 1);
	}
	return 0;
}

/* Lists waiting for their pass, smallest index first (a binary heap). */
typedef struct cand_heap {
	fl_arena *a;
	FL_VEC(uint32_t) v;
	int oom;
} cand_heap;

static void heap_push(cand_heap *q, uint32_t k)
{
	if (!q->a && !(q->a = fl_arena_new())) {
		q->oom = 1;
		return;
	}
	if (FL_VEC_PUSH(q->a, q->v, k)) {
		q->oom = 1;
		return;
	}
	size_t i = q->v.n - 1;
	while (i && q->v.v[(i - 1) / 2] > q->v.v[i]) {
		uint32_t t = q->v.v[i];
		q->v.v[i] = q->v.v[(i - 1) / 2];
		q->v.v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static uint32_t heap_pop(cand_heap *q)
{
	uint32_t top = q->v.v[0];
	q->v.v[0] = q->v.v[--q->v.n];
	size_t i = 0, n = q->v.n;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && q->v.v[l] < q->v.v[m])
			m = l;
		if (r < n && q->v.v[r] < q->v.v[m])
			m = r;
		if (m == i)
			break;
		uint32_t t = q->v.v[i];
		q->v.v[i] = q->v.v[m];
		q->v.v[m] = t;
		i = m;
	}
	return top;
}

/* Queues every list (index > after, or any when after is -1) named by
 * the token s[0..n) with its optional quote bytes. */
static void queue_token(fl_list_index *x, cand_heap *q, const char *s, size_t n,
			int pre, int suf, long long after)
{
	for (uint32_t k = idx_lookup(x, s, n, pre, suf); k; k = x->next[k - 1]) {
		uint32_t i = k - 1;
		if ((long long)i > after && x->mark[i] != x->epoch) {
			x->mark[i] = x->epoch;
			heap_push(q, i);
		}
	}
}

/* The next maximal delimiter-free token of s[0..n) from *i: 1 with it in
 * s[*b..*i), or 0 when none is left. */
static int next_token(const char *s, size_t n, size_t *i, size_t *b)
{
	while (*i < n && l_delim((unsigned char)s[*i]))
		(*i)++;
	*b = *i;
	while (*i < n && !l_delim((unsigned char)s[*i]))
		(*i)++;
	return *i > *b;
}

static void queue_tokens(fl_list_index *x, cand_heap *q, const char *s, size_t n,
			 long long after)
{
	size_t i = 0, b;
	while (next_token(s, n, &i, &b))
		queue_token(x, q, s + b, i - b, -1, -1, after);
}

/* Queues the lists after `after` that list l's items, as put_item()
 * writes them, name. */
static void queue_items(fl_list_index *x, cand_heap *q, const fl_list_def *l, long long after)
{
	for (size_t k = 0; k < l->nitems; k++) {
		const char *it = l->items[k];
		size_t n = strlen(it);
		if (!fl_quote_item_needed(it, n)) {
			queue_tokens(x, q, it, n, after);
			continue;
		}
		/* quoted: it holds a space, so the quotes join distinct
		 * first and last tokens */
		size_t f = 0, e = n;
		while (!l_delim((unsigned char)it[f]))
			f++;
		while (!l_delim((unsigned char)it[e - 1]))
			e--;
		queue_token(x, q, it, f, '"', -1, after);
		queue_tokens(x, q, it + f, e - f, after);
		queue_token(x, q, it + e, n - e, -1, '"', after);
	}
}

static void next_epoch(fl_list_index *x)
{
	if (++x->epoch == 0) {
		memset(x->mark, 0, (x->n ? x->n : 1) * sizeof *x->mark);
		x->epoch = 1;
	}
}

int fl_list_index_mentions(fl_list_index *x, const char *s, size_t n,
			   const unsigned char *flag)
{
	for (size_t k = 0; k < x->nalways; k++) {
		uint32_t i = x->always[k];
		if (flag[i] && fl_memmem(s, n, x->names[i], x->lens[i]))
			return 1;
	}
	size_t i = 0, b;
	while (next_token(s, n, &i, &b))
		for (uint32_t k = idx_lookup(x, s + b, i - b, -1, -1); k; k = x->next[k - 1])
			if (flag[k - 1])
				return 1;
	return 0;
}

int fl_list_substitute_idx(fl_arena *a, const fl_text *in,
			   const fl_list_def *lists, size_t nlists,
			   fl_list_index *idx, size_t max_len, fl_text *out,
			   fl_list_used *used)
{
	/* Each pass rebuilds the text from its first match on: hostile
	 * orders of list names (the last-defined list first in the text)
	 * make that (passes x length).  Real conditions rebuild a few KB a
	 * few hundred times; past this much work the input is refused. */
	size_t max_work = max_len ? FL_SUBST_WORK_FACTOR * max_len : 0;
	fl_text cur = *in;
	if (max_len && cur.len > max_len)
		return FL_SUBST_TOO_LONG;
	fl_arena *scratch = NULL;
	subst_bufs b = {0};
	int rc = 0;
	/* the heap's arena; it also holds an index built for this call */
	cand_heap q = {NULL, {0}, 0};
	if (!idx || idx->n != nlists) {
		if (!(q.a = fl_arena_new()))
			return FL_ENOMEM;
		if (!(idx = fl_list_index_new(q.a, lists, nlists))) {
			fl_arena_free(q.a);
			return FL_ENOMEM;
		}
	}
	next_epoch(idx);
	/* a pass that does not match leaves the text as it is: only the
	 * lists the text names (as it is when their turn comes) matter,
	 * and a pass adds no name but those in the items it inserts */
	for (size_t k = 0; k < idx->nalways; k++) {
		idx->mark[idx->always[k]] = idx->epoch;
		heap_push(&q, idx->always[k]);
	}
	queue_tokens(idx, &q, cur.s, cur.len, -1);
	while (!q.oom && q.v.n) {
		size_t i = heap_pop(&q);
		if (!scratch) {
			/* allocated lazily: most conditions use no list, and
			 * a pass without a match allocates nothing */
			if (!lists[i].name_len || !fl_memmem(cur.s, cur.len, lists[i].name,
							     lists[i].name_len))
				continue;
			if (!(scratch = fl_arena_new())) {
				rc = FL_ENOMEM;
				break;
			}
			b.w.a = b.tmp.a = scratch;
			b.w.max = max_len;
		}
		rc = subst_one(&b, &cur, &lists[i]);
		if (rc == SUBST_OVER) {
			rc = FL_SUBST_TOO_LONG;
			break;
		}
		if (rc < 0)
			break;
		if (rc) {
			/* passes run in ascending list order: so is *used */
			if (used && FL_VEC_PUSH(a, *used, (uint32_t)i)) {
				rc = FL_ENOMEM;
				break;
			}
			queue_items(idx, &q, &lists[i], (long long)i);
		}
		rc = 0;
		if (max_work && b.work > max_work) {
			rc = FL_SUBST_TOO_COSTLY;
			break;
		}
	}
	if (!rc && q.oom)
		rc = FL_ENOMEM;
	fl_arena_free(q.a);
	if (!rc && b.owned) {
		/* the result moves to `a`; the scratch buffers go */
		rc = fl_text_copy(a, &cur, &cur);
	}
	fl_arena_free(scratch);
	if (!rc)
		*out = cur;
	return rc;
}

int fl_list_substitute_max(fl_arena *a, const fl_text *in,
			   const fl_list_def *lists, size_t nlists,
			   size_t max_len, fl_text *out, unsigned char *used)
{
	fl_list_used u = {0};
	int rc = fl_list_substitute_idx(a, in, lists, nlists, NULL, max_len, out,
					used ? &u : NULL);
	for (size_t k = 0; k < u.n; k++)
		used[u.v[k]] = 1;
	return rc;
}

int fl_list_substitute(fl_arena *a, const fl_text *in,
		       const fl_list_def *lists, size_t nlists,
		       fl_text *out, unsigned char *used)
{
	int rc = fl_list_substitute_max(a, in, lists, nlists, 0, out, used);
	return rc == FL_SUBST_TOO_LONG ? FL_ENOMEM : rc;
}

/* Open-addressing name → index table for fl_list_compile(). */
static uint64_t name_hash(const char *s)
{
	return fl_hash_str(FL_HASH_INIT, s);
}

int fl_list_compile(fl_arena *a, const fl_list_src *lists, size_t n,
		    fl_list_def *out, unsigned char *used)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap *= 2;
	size_t *tab = fl_arena_alloc(a, cap * sizeof(size_t));
	if (!tab)
		return FL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t h = (size_t)name_hash(lists[i].name) & (cap - 1);
		while (tab[h] && strcmp(lists[tab[h] - 1].name, lists[i].name) != 0)
			h = (h + 1) & (cap - 1);
		if (!tab[h])
			tab[h] = i + 1;
	}
	for (size_t i = 0; i < n; i++) {
		FL_VEC(const char *) items = {0};
		const fl_list_src *l = &lists[i];
		for (size_t k = 0; k < l->nitems; k++) {
			const char *it = l->items[k];
			size_t h = (size_t)name_hash(it) & (cap - 1), ref = 0;
			while (tab[h]) {
				if (strcmp(lists[tab[h] - 1].name, it) == 0) {
					ref = tab[h];
					break;
				}
				h = (h + 1) & (cap - 1);
			}
			if (ref && lists[ref - 1].index < l->visibility) {
				const fl_list_src *r = &lists[ref - 1];
				if (used)
					used[ref - 1] = 1;
				for (size_t m = 0; m < r->nitems; m++)
					if (FL_VEC_PUSH(a, items, r->items[m]))
						return FL_ENOMEM;
			} else if (FL_VEC_PUSH(a, items, it)) {
				return FL_ENOMEM;
			}
		}
		out[i].name = l->name;
		out[i].name_len = (uint32_t)strlen(l->name);
		out[i].items = items.v;
		out[i].nitems = items.n;
	}
	return 0;
}

/* ---- output strings (rules-format §14.1) ----------------------------- */

/* Field names longer than this are never asked about: no catalogue has
 * them, and it keeps the prefix search linear on hostile text. */
#define MAX_FIELD_NAME 256u

/* The first field of o (itself, or inside a transformer) that `known`
 * rejects; o itself past the depth bound; NULL when all are known. */
static const fl_operand *unknown_field(const fl_operand *o,
				       fl_field_known_fn known, void *ctx,
				       unsigned depth)
{
	if (o->kind == FL_OPERAND_FIELD) {
		const fl_operand *arg = fl_operand_arg(o);
		return known(ctx, o->text, o->len, arg != NULL, arg ? arg->text : NULL,
			     arg ? arg->len : 0) ? NULL : o;
	}
	if (depth > FL_EXPR_MAX_DEPTH)
		return o;
	for (uint32_t i = 0; i < fl_operand_nitems(o); i++) {
		const fl_operand *u = unknown_field(fl_operand_item(o, i), known, ctx,
						    depth + 1);
		if (u)
			return u;
	}
	return NULL;
}

/* The token at t: Falco 0.44 tries the longest prefix of the rest of the
 * text that parses as a field or transformer and compiles.  Here: the
 * whole parse first, then the bare name without its [arg], then shorter
 * field names that end on a word character. */
static fl_operand *output_field(P *p, uint32_t t, fl_field_known_fn known,
				void *ctx, uint32_t *end, const fl_operand **rejected)
{
	fl_expr_errors scratch = {0}, *saved = p->errs;
	fl_operand *o = NULL;
	uint32_t L;
	p->errs = &scratch;
	p->pos = t;
	p->depth = p->tparens = p->owe = 0;
	*rejected = NULL;
	int tr = m_transformer(p, t, 0);
	if (tr >= 0) {
		uint32_t n = tr_table[tr].len + 1;
		p->pos += n;
		while (is_blank(ch(p, p->pos)))
			p->pos++;
		o = parse_transformer(p, tr, t);
		if (o && known && (*rejected = unknown_field(o, known, ctx, 0)) != NULL)
			o = NULL;
		*end = p->pos;
		goto out;
	}
	if ((L = m_fieldname(p, t)) == 0)
		goto out;
	o = parse_field(p, L);
	*end = p->pos;
	if (o && (!known || !unknown_field(o, known, ctx, 0)))
		goto out;
	if (p->oom) {
		o = NULL;
		goto out;
	}
	/* shorter candidates: the name alone, then its prefixes */
	uint32_t dot = 0;
	while (p->s[t + dot] != '.')
		dot++;
	for (uint32_t k = L < MAX_FIELD_NAME ? L : MAX_FIELD_NAME; k > dot + 1; k--) {
		if (p->s[t + k - 1] == '.' || (k == L && o && !fl_operand_arg(o)))
			continue;
		if (known && !known(ctx, p->s + t, k, 0, NULL, 0))
			continue;
		o = mkop(p, FL_OPERAND_FIELD, t);
		if (o && (o->text = pdup(p, p->s + t, k)) != NULL) {
			o->len = k;
			o->end = t + k;
			*end = t + k;
		}
		if (p->oom)
			o = NULL;
		goto out;
	}
	o = NULL;
out:
	p->errs = saved;
	return o;
}

int fl_output_parse(fl_arena *a, const char *text, uint32_t len,
		    fl_field_known_fn known, void *ctx, fl_output *out,
		    fl_expr_errors *errs)
{
	P p;
	void *pend[PEND_LOCAL];
	FL_VEC(fl_output_token) toks = {0};
	memset(&p, 0, sizeof(p));
	p.a = a;
	p.pend = pend;
	p.pend_cap = PEND_LOCAL;
	p.s = text;
	p.n = len;
	p.errs = errs;
	p.max_depth = FL_EXPR_DEFAULT_DEPTH;
	p.noclose_from[0] = p.noclose_from[1] = UINT32_MAX;
	p.last = "";
	out->require_all = 1;
	uint32_t j = 0;
	if (len && text[0] == '*') {
		out->require_all = 0;
		j = 1;
	}
	for (; j < len && !p.oom; j++) {
		if (text[j] != '%')
			continue;
		uint32_t pct = j;
		unsigned width = 0;
		if (j + 1 == len) {
			err_span(&p, j, j, j + 1,
				 "invalid formatting syntax: formatting cannot end with a %%");
			break;
		}
		if (is_digit(ch(&p, j + 1))) {
			uint32_t k = j + 1;
			while (k < len && is_digit(ch(&p, k))) {
				if (width < 100000000u)
					width = width * 10 + (unsigned)(text[k] - '0');
				k++;
			}
			if (k == len) {
				err_span(&p, pct, pct, len,
					 "invalid formatting syntax: formatting cannot end with a number");
				break;
			}
			j = k - 1;
		}
		uint32_t t = j + 1, end = t;
		const fl_operand *rej;
		fl_operand *o = output_field(&p, t, known, ctx, &end, &rej);
		if (p.oom)
			break;
		if (!o) {
			uint32_t w = m_fieldname(&p, t);
			if (!w)
				w = m_ident(&p, t);
			if (!w)
				w = tok_end(&p, t) - t;
			/* underline the field that is not known: the token's
			 * name, or the field inside a transformer call */
			uint32_t us = rej ? rej->start : t, ue = rej ? rej->end : t + w;
			err_span(&p, pct, us, ue,
				 "unknown filter: '%.*s' is not a valid field or transformer",
				 (int)w, text + t);
			continue; /* go on after the '%' (and width) */
		}
		fl_output_token tk = {pct, end, width, o};
		if (FL_VEC_PUSH(a, toks, tk)) {
			p.oom = 1;
			break;
		}
		j = end - 1;
	}
	out->tokens = toks.v;
	out->ntokens = toks.n;
	return p.oom ? FL_ENOMEM : 0;
}
