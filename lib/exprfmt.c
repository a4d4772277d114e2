/* exprfmt.c — walking and printing condition trees: the ENTER/EXIT
 * iterator every later pass uses, the S-expression dump that tests compare,
 * and the canonical text (Falco's AST printer, made re-parse safe) that the
 * fix generator writes.  Nodes are walked without recursion. */
#include "expr.h"

#include <string.h>

/* ---- iterator --------------------------------------------------------- */

typedef struct frame {
	const fl_expr *e;
	const fl_expr *sub; /* MACRO: the tree walked in its place */
	uint32_t next;      /* index of the next child to visit */
} frame;

struct fl_expr_iter {
	fl_arena *a;
	const fl_expr *root;
	FL_VEC(frame) st;
	int state; /* 0 not started, 1 walking, 2 done */
	int can_skip;
	int follow;         /* descend into bound macros */
	size_t budget;      /* ENTER events left when follow; 0 = unbounded */
	fl_expr_resolve_fn resolve; /* when set: binds macros instead of */
	void *rctx;                 /* u.macro.resolved */
};

static int is_inner(const fl_expr *e)
{
	return e->kind == FL_EXPR_AND || e->kind == FL_EXPR_OR ||
	       e->kind == FL_EXPR_NOT;
}

static uint32_t nkids(const fl_expr *e)
{
	if (e->kind == FL_EXPR_NOT || e->kind == FL_EXPR_MACRO)
		return 1;
	return e->u.kids.n;
}

static const fl_expr *kid(const frame *f, uint32_t i)
{
	const fl_expr *e = f->e;
	if (e->kind == FL_EXPR_MACRO)
		return f->sub;
	return e->kind == FL_EXPR_NOT ? e->u.child : e->u.kids.v[i];
}

/* The tree a MACRO node stands for in a follow walk; NULL: a leaf. */
static const fl_expr *macro_tree(const fl_expr_iter *it, const fl_expr *e)
{
	if (!it->follow || e->kind != FL_EXPR_MACRO)
		return NULL;
	return it->resolve ? it->resolve(it->rctx, e) : e->u.macro.resolved;
}

fl_expr_iter *fl_expr_iter_new(fl_arena *a, const fl_expr *root)
{
	fl_expr_iter *it = fl_arena_alloc(a, sizeof(*it));
	if (it) {
		it->a = a;
		it->root = root;
	}
	return it;
}

void fl_expr_iter_reset(fl_expr_iter *it, const fl_expr *root)
{
	it->root = root;
	it->st.n = 0;
	it->state = 0;
	it->can_skip = 0;
	it->follow = 0;
	it->budget = 0;
	it->resolve = NULL;
	it->rctx = NULL;
}

static fl_expr_event enter(fl_expr_iter *it, const fl_expr *e,
			   const fl_expr **node)
{
	it->can_skip = 0;
	if (it->follow && it->budget && --it->budget == 0) {
		it->state = 2;
		return FL_EXPR_EV_LIMIT;
	}
	const fl_expr *sub = macro_tree(it, e);
	if (is_inner(e) || sub) {
		frame f = {e, sub, 0};
		if (FL_VEC_PUSH(it->a, it->st, f)) {
			it->state = 2;
			return FL_EXPR_EV_OOM;
		}
		it->can_skip = 1;
	}
	*node = e;
	return FL_EXPR_EV_ENTER;
}

fl_expr_event fl_expr_iter_next(fl_expr_iter *it, const fl_expr **node)
{
	*node = NULL;
	if (it->state == 2 || !it->root)
		return FL_EXPR_EV_DONE;
	if (it->state == 0) {
		it->state = 1;
		return enter(it, it->root, node);
	}
	it->can_skip = 0;
	if (it->st.n == 0) {
		it->state = 2;
		return FL_EXPR_EV_DONE;
	}
	frame *top = &it->st.v[it->st.n - 1];
	if (top->next < nkids(top->e))
		return enter(it, kid(top, top->next++), node);
	it->st.n--;
	*node = top->e;
	return FL_EXPR_EV_EXIT;
}

void fl_expr_iter_follow(fl_expr_iter *it, size_t max_nodes)
{
	it->follow = 1;
	it->budget = max_nodes ? max_nodes + 1 : 0;
}

void fl_expr_iter_skip(fl_expr_iter *it)
{
	if (it->can_skip && it->st.n) {
		frame *top = &it->st.v[it->st.n - 1];
		top->next = nkids(top->e);
	}
	it->can_skip = 0;
}

/* ---- string builder --------------------------------------------------- */

typedef struct sb {
	fl_arena *a;
	char *s;
	size_t n, cap;
	int oom;
} sb;

static void put(sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *ns = fl_arena_realloc(b->a, b->s, b->n, cap);
		if (!ns) {
			b->oom = 1;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

static void puts_(sb *b, const char *s)
{
	put(b, s, strlen(s));
}

static char *finish(sb *b)
{
	if (!b->s && !b->oom)
		put(b, "", 0);
	return b->oom ? NULL : b->s;
}

/* ---- dump ------------------------------------------------------------- */

static int dump_bare_ok(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("_./:*+@-", c) || c >= 0x80))
			return 0;
	}
	return 1;
}

static void dump_str(sb *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	if (dump_bare_ok(s, n)) {
		put(b, s, n);
		return;
	}
	put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[4] = {'\\', 0, 0, 0};
		switch (c) {
		case '"': e[1] = '"'; break;
		case '\\': e[1] = '\\'; break;
		case '\n': e[1] = 'n'; break;
		case '\t': e[1] = 't'; break;
		case '\r': e[1] = 'r'; break;
		case '\b': e[1] = 'b'; break;
		case '\f': e[1] = 'f'; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				e[1] = 'x';
				e[2] = hex[c >> 4];
				e[3] = hex[c & 15];
				put(b, e, 4);
			} else {
				put(b, (const char *)&s[i], 1);
			}
			continue;
		}
		put(b, e, 2);
	}
	put(b, "\"", 1);
}

static void dump_operand(sb *b, const fl_operand *o)
{
	switch (o->kind) {
	case FL_OPERAND_FIELD:
		put(b, o->text, o->len);
		break;
	case FL_OPERAND_TRANSFORMER:
		put(b, o->text, o->len);
		put(b, "(", 1);
		for (uint32_t i = 0; i < fl_operand_nitems(o); i++) {
			if (i)
				put(b, ", ", 2);
			dump_operand(b, fl_operand_item(o, i));
		}
		put(b, ")", 1);
		break;
	case FL_OPERAND_VALUE:
		dump_str(b, o->text, o->len);
		break;
	case FL_OPERAND_LIST:
		puts_(b, "(list");
		for (uint32_t i = 0; i < fl_operand_nitems(o); i++) {
			put(b, " ", 1);
			dump_operand(b, fl_operand_item(o, i));
		}
		put(b, ")", 1);
		break;
	case FL_OPERAND_IDENT:
		put(b, "$", 1);
		put(b, o->text, o->len);
		break;
	}
	const fl_operand *arg = fl_operand_arg(o);
	if ((o->kind == FL_OPERAND_FIELD || o->kind == FL_OPERAND_TRANSFORMER) && arg) {
		put(b, "[", 1);
		dump_str(b, arg->text, arg->len);
		put(b, "]", 1);
	}
}

char *fl_operand_dump(fl_arena *a, const fl_operand *o)
{
	sb b = {a, NULL, 0, 0, 0};
	dump_operand(&b, o);
	return finish(&b);
}

static void dump_leaf(sb *b, const fl_expr *e)
{
	switch (e->kind) {
	case FL_EXPR_CHECK:
		put(b, "(", 1);
		puts_(b, fl_op_text(e->u.check.op));
		if (e->u.check.mod) {
			put(b, ":", 1);
			puts_(b, fl_modifier_text(e->u.check.mod));
		}
		put(b, " ", 1);
		dump_operand(b, e->u.check.lhs);
		if (e->u.check.rhs) {
			put(b, " ", 1);
			dump_operand(b, e->u.check.rhs);
		}
		put(b, ")", 1);
		break;
	case FL_EXPR_MACRO:
		puts_(b, "(macro ");
		put(b, e->u.macro.name, e->u.macro.len);
		put(b, ")", 1);
		break;
	default:
		puts_(b, "(error)");
		break;
	}
}

char *fl_expr_dump(fl_arena *a, const fl_expr *e)
{
	sb b = {a, NULL, 0, 0, 0};
	fl_expr_iter *it = fl_expr_iter_new(a, e);
	const fl_expr *n;
	fl_expr_event ev;
	if (!it)
		return NULL;
	while ((ev = fl_expr_iter_next(it, &n)) > FL_EXPR_EV_DONE) {
		if (ev == FL_EXPR_EV_EXIT) {
			put(&b, ")", 1);
			continue;
		}
		if (n != e)
			put(&b, " ", 1);
		if (is_inner(n)) {
			put(&b, "(", 1);
			puts_(&b, fl_expr_kind_name(n->kind));
		} else {
			dump_leaf(&b, n);
		}
	}
	if (ev == FL_EXPR_EV_OOM)
		return NULL;
	return finish(&b);
}

/* ---- canonical text --------------------------------------------------- */

/* Falco's escape_str quotes a value containing one of these. */
static int falco_quotes(unsigned char c)
{
	return c == ' ' || c == '=' || c == '"' || c == '\'' || c == '\\' ||
	       c == 0 || c == '\b' || c == '\f' || c == '\n' || c == '\r' ||
	       c == '\t';
}

static int posix_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Quoted form: escapes as Falco's printer.  In safe mode a final
 * backslash is written as the legacy `\ ` so that the closing quote is not
 * taken as escaped when the text is read again. */
static void put_quoted(sb *b, const char *s, size_t n, int falco)
{
	put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		char e[2] = {'\\', 0};
		switch (s[i]) {
		case '\b': e[1] = 'b'; break;
		case '\f': e[1] = 'f'; break;
		case '\n': e[1] = 'n'; break;
		case '\r': e[1] = 'r'; break;
		case '\t': e[1] = 't'; break;
		case '"': e[1] = '"'; break;
		case '\\': e[1] = i + 1 == n && !falco ? ' ' : '\\'; break;
		default:
			put(b, &s[i], 1);
			continue;
		}
		put(b, e, 2);
	}
	put(b, "\"", 1);
}

/* A string value.  Falco mode: Falco's escape_str.  Safe mode: also quote
 * what the parser would not read back as one BARESTR (or FIELDARG). */
static void put_value(sb *b, const char *s, size_t n, int fieldarg, int falco)
{
	int quote = !falco && n == 0;
	for (size_t i = 0; i < n && !quote; i++) {
		unsigned char c = (unsigned char)s[i];
		quote = falco_quotes(c) ||
			(!falco && (posix_space(c) ||
				    (fieldarg ? (c == '[' || c == ']')
					      : (c == '(' || c == ')' || c == ','))));
	}
	if (quote)
		put_quoted(b, s, n, falco);
	else
		put(b, s, n);
}

static void fmt_operand(sb *b, const fl_operand *o, int in_transformer,
			int falco)
{
	switch (o->kind) {
	case FL_OPERAND_FIELD:
		put(b, o->text, o->len);
		break;
	case FL_OPERAND_TRANSFORMER:
		put(b, o->text, o->len);
		put(b, "(", 1);
		for (uint32_t i = 0; i < fl_operand_nitems(o); i++) {
			if (i)
				put(b, ",", 1);
			fmt_operand(b, fl_operand_item(o, i), 1, falco);
		}
		put(b, ")", 1);
		break;
	case FL_OPERAND_VALUE:
		if (o->numeric)
			put(b, o->text, o->len);
		else if (in_transformer && !falco) /* no bare strings there */
			put_quoted(b, o->text, o->len, 0);
		else
			put_value(b, o->text, o->len, 0, falco);
		break;
	case FL_OPERAND_LIST:
		put(b, "(", 1);
		for (uint32_t i = 0; i < fl_operand_nitems(o); i++) {
			if (i)
				put(b, ", ", 2);
			fmt_operand(b, fl_operand_item(o, i), in_transformer, falco);
		}
		put(b, ")", 1);
		break;
	case FL_OPERAND_IDENT:
		put(b, o->text, o->len);
		break;
	}
	const fl_operand *arg = fl_operand_arg(o);
	if ((o->kind == FL_OPERAND_FIELD || o->kind == FL_OPERAND_TRANSFORMER) && arg) {
		put(b, "[", 1);
		if (falco && arg->len == 0)
			put(b, "\"\"", 2);
		else
			put_value(b, arg->text, arg->len, 1, falco);
		put(b, "]", 1);
	}
}

/* The nearest enclosing frame that prints something (bound macros are
 * transparent). */
static const frame *print_parent(const fl_expr_iter *it, size_t depth)
{
	while (depth > 0 && it->st.v[depth - 1].e->kind == FL_EXPR_MACRO)
		depth--;
	return depth ? &it->st.v[depth - 1] : NULL;
}

char *fl_expr_format(fl_arena *a, const fl_expr *e)
{
	return fl_expr_format_ex(a, e, 0, 0);
}

char *fl_expr_format_ex(fl_arena *a, const fl_expr *e, unsigned flags,
			size_t max_nodes)
{
	return fl_expr_format_with(a, e, flags, max_nodes, NULL, NULL);
}

char *fl_expr_format_with(fl_arena *a, const fl_expr *e, unsigned flags,
			  size_t max_nodes, fl_expr_resolve_fn resolve,
			  void *ctx)
{
	sb b = {a, NULL, 0, 0, 0};
	fl_expr_iter *it = fl_expr_iter_new(a, e);
	const fl_expr *n;
	fl_expr_event ev;
	int falco = (flags & FL_EXPR_FMT_FALCO) != 0;
	if (!it)
		return NULL;
	if (flags & FL_EXPR_FMT_FOLLOW) {
		fl_expr_iter_follow(it, max_nodes);
		it->resolve = resolve;
		it->rctx = ctx;
	}
	while ((ev = fl_expr_iter_next(it, &n)) > FL_EXPR_EV_DONE) {
		/* right after ENTER: did n get a frame (walked into)? */
		int inner = ev == FL_EXPR_EV_ENTER && it->can_skip;
		if (ev == FL_EXPR_EV_EXIT) {
			const frame *pf = print_parent(it, it->st.n);
			if (n->kind == FL_EXPR_MACRO)
				continue;
			/* `not not x` would fold: keep the inner one grouped */
			if (n->kind != FL_EXPR_NOT ||
			    (!falco && pf && pf->e->kind == FL_EXPR_NOT))
				put(&b, ")", 1);
			continue;
		}
		/* The parent is the frame below n's own (inner n) or the top;
		 * and/or separators go before every child but the first. */
		size_t depth = it->st.n - (inner ? 1 : 0);
		const frame *pf = print_parent(it, depth);
		const frame *direct = depth ? &it->st.v[depth - 1] : NULL;
		if (direct && direct->e->kind != FL_EXPR_NOT &&
		    direct->e->kind != FL_EXPR_MACRO && direct->next > 1)
			puts_(&b, direct->e->kind == FL_EXPR_AND ? " and " : " or ");
		switch (n->kind) {
		case FL_EXPR_AND:
		case FL_EXPR_OR:
			put(&b, "(", 1);
			break;
		case FL_EXPR_NOT:
			puts_(&b, !falco && pf && pf->e->kind == FL_EXPR_NOT ? "(not " : "not ");
			break;
		case FL_EXPR_CHECK:
			fmt_operand(&b, n->u.check.lhs, 0, falco);
			put(&b, " ", 1);
			puts_(&b, fl_op_text(n->u.check.op));
			if (n->u.check.mod) {
				put(&b, " ", 1);
				puts_(&b, fl_modifier_text(n->u.check.mod));
			}
			if (n->u.check.rhs) {
				put(&b, " ", 1);
				fmt_operand(&b, n->u.check.rhs, 0, falco);
			}
			break;
		case FL_EXPR_MACRO:
			if (!inner && it->resolve)
				return NULL; /* the resolver knows no such macro */
			if (!inner)
				put(&b, n->u.macro.name, n->u.macro.len);
			break;
		default:
			return NULL; /* an ERROR node has no text */
		}
	}
	if (ev < FL_EXPR_EV_DONE)
		return NULL;
	return finish(&b);
}
