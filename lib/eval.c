/* eval.c — three-valued evaluation of parsed conditions against scenario
 * events, and the session stage that runs every enabled rule over the
 * scenario catalogue: FL501 when a rule fires on a benign event, FL502
 * (with --show-uncertain) when it may; the same rule evaluation serves
 * `fix` (fl_rseval) for verifying its candidates. */
#include "eval.h"

#include <stdio.h>
#include <string.h>

#include "compile.h"
#include "falcolint.h"
#include "fields.h"
#include "ruleset.h"
#include "session.h"

#define DEFAULT_MAX_DEPTH 4000u

int fl_evalenv_init(fl_evalenv *env, fl_arena *a, fl_opctx *ops,
		    uint32_t nslots, fl_macro_fn fn, void *ctx)
{
	memset(env, 0, sizeof(*env));
	env->arena = a;
	env->ops = ops;
	env->macro = fn;
	env->ctx = ctx;
	env->nslots = nslots;
	env->max_depth = DEFAULT_MAX_DEPTH;
	if (nslots) {
		env->memo = fl_arena_alloc(a, nslots * sizeof(*env->memo));
		env->memo_gen = fl_arena_alloc(a, nslots * sizeof(*env->memo_gen));
		env->memo_height = fl_arena_alloc(a, nslots * sizeof(*env->memo_height));
		if (!env->memo || !env->memo_gen || !env->memo_height)
			return FL_ENOMEM;
	}
	return 0;
}

static void fail(fl_evalenv *env, int rc, const char *msg)
{
	if (rc == FL_ENOMEM)
		env->noom++; /* a value computed meanwhile is not kept */
	if (!env->error) {
		env->error = rc;
		env->error_msg = msg;
	}
}

fl_value fl_eval_field(const fl_sevent *ev, const char *name, const char *arg)
{
	const fl_sfield *f = fl_sevent_field(ev, name, arg);
	/* The first ancestor is the parent, the zeroth the process itself. */
	if (!f && !strcmp(name, "proc.aname") && arg && !strcmp(arg, "1"))
		f = fl_sevent_field(ev, "proc.pname", NULL);
	else if (!f && !strcmp(name, "proc.pname") && !arg)
		f = fl_sevent_field(ev, "proc.aname", "1");
	else if (!f && !strcmp(name, "proc.aname") && arg && !strcmp(arg, "0"))
		f = fl_sevent_field(ev, "proc.name", NULL);
	return f ? f->value : fl_value_unknown();
}

/* Ancestor fields without an index compare every ancestor: true when one
 * of them matches (sinsp_filter_check_thread's custom compare). */
static int is_ancestor_field(const char *name)
{
	return !strcmp(name, "proc.aname") || !strcmp(name, "proc.apid") ||
	       !strcmp(name, "proc.aexe") || !strcmp(name, "proc.aexepath") ||
	       !strcmp(name, "proc.acmdline");
}

/* The decoded [arg] of a field, NUL-terminated; NULL when it has none. */
static const char *arg_text(const fl_operand *o)
{
	const fl_operand *arg = fl_operand_arg(o);
	return arg ? arg->text : NULL;
}

/* Makes *one, a copy of a FIELD operand, read argument `arg` instead of
 * its own (NULL: none); *parts and *argop hold what it then points to
 * (the caller's locals: the copy lives for one evaluation). */
static void set_arg(fl_operand *one, const char *arg, fl_operand_parts *parts,
		    fl_operand *argop)
{
	one->parts = NULL;
	if (!arg)
		return;
	memset(argop, 0, sizeof *argop);
	argop->kind = FL_OPERAND_VALUE;
	argop->text = arg;
	argop->len = (uint32_t)strlen(arg);
	memset(parts, 0, sizeof *parts);
	parts->arg = argop;
	one->parts = parts;
}

/* 1 if Falco refuses field operand `o` in a condition of the env's source
 * (operand_value then records the failure). */
static int field_invalid(const fl_evalenv *env, const fl_operand *o)
{
	fl_field_match m;
	fl_field_status st = fl_compile_operand_field(env->source, o, FL_VERSION_UNRELEASED, &m);
	return st == FL_FIELD_UNKNOWN || st == FL_FIELD_OTHER_SOURCE ||
	       st == FL_FIELD_ARG_MISSING || st == FL_FIELD_ARG_UNEXPECTED ||
	       st == FL_FIELD_ARG_INVALID;
}

/* 1 if evaluating operand `o` (operand_value) meets an invalid field: the
 * one field of a chain of one-argument transformers. */
static int operand_invalid(const fl_evalenv *env, const fl_operand *o)
{
	while (o->kind == FL_OPERAND_TRANSFORMER && fl_operand_nitems(o) == 1)
		o = fl_operand_item(o, 0);
	return o->kind == FL_OPERAND_FIELD && field_invalid(env, o);
}

/* The value of an operand that denotes a field or a transformed field;
 * field validity is the caller's (operand_invalid, worked out once). */
static int operand_value(fl_evalenv *env, const fl_operand *o,
			 const fl_sevent *ev, fl_value *out)
{
	if (o->kind == FL_OPERAND_FIELD) {
		*out = fl_eval_field(ev, o->text, arg_text(o));
		return 0;
	}
	if (o->kind != FL_OPERAND_TRANSFORMER || fl_operand_nitems(o) != 1) {
		*out = fl_value_unknown(); /* join/concat/getopt: not modelled */
		return 0;
	}
	fl_value in;
	int rc = operand_value(env, fl_operand_item(o, 0), ev, &in);
	if (rc)
		return rc;
	switch (o->tr) {
	case FL_XF_VAL:
		*out = in;
		return 0;
	case FL_XF_TOLOWER:
	case FL_XF_TOUPPER:
	case FL_XF_B64:
	case FL_XF_BASENAME:
	case FL_XF_LEN:
		break;
	default:
		*out = fl_value_unknown();
		return 0;
	}
	rc = fl_xform_apply(env->arena, o->tr, &in, out);
	if (rc == FL_EUSAGE) {
		fail(env, rc, "transformer not applicable");
		*out = fl_value_unknown();
		return 0;
	}
	return rc;
}

/* The kind literals are read as for a left-hand operand: the field's
 * catalogue type, changed by transformers (len gives a number). */
static fl_vkind operand_kind(fl_evalenv *env, const fl_operand *o)
{
	if (o->kind == FL_OPERAND_FIELD) {
		fl_field_match m;
		fl_compile_operand_field(env->source, o, FL_VERSION_UNRELEASED, &m);
		if (!m.field)
			return FL_V_STR;
		fl_vkind k = fl_vkind_of_ftype((int)m.type);
		return k == FL_V_UNKNOWN ? FL_V_STR : k;
	}
	if (o->kind == FL_OPERAND_TRANSFORMER) {
		if (o->tr == FL_XF_LEN)
			return FL_V_UINT;
		if (o->tr == FL_XF_VAL && fl_operand_nitems(o) == 1)
			return operand_kind(env, fl_operand_item(o, 0));
	}
	return FL_V_STR;
}

/* ---- right-hand literals, read once --------------------------------------
 * A check's literals are constant, so their values are read the first time
 * the check is evaluated for a given left-hand kind and kept, keyed by the
 * right-hand operand (until fl_evalenv_forget: the tree may then go): a
 * list of a million items is read once, not once per event and per
 * explanation. */

/* Lists at least this long get a membership index (fl_vset). */
#define LIT_SET_MIN 16u

typedef struct lit_entry {
	const fl_operand *rhs;  /* key, with op and kind */
	fl_op op;
	fl_vkind kind;
	/* what rhs looked like when read: a different operand at a reused
	 * address is read again rather than mistaken for this one */
	const char *text;
	const fl_operand_parts *parts;
	uint32_t nitems;
	int rc;                 /* 0, or FL_EUSAGE with msg */
	const char *msg;
	const fl_value *vals;
	size_t n;
	const fl_vset *set;
} lit_entry;

struct fl_litcache {
	lit_entry **slot;       /* open addressing, NULL empty */
	size_t cap, n;
	/* transient entries made since the last fl_evalenv_forget */
	FL_VEC(lit_entry *) made;
};

static size_t lit_hash(const fl_operand *rhs, fl_op op, fl_vkind kind, size_t mask)
{
	uint64_t h = (uint64_t)(uintptr_t)rhs;
	h ^= (uint64_t)op << 56 ^ (uint64_t)kind << 48;
	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 17) & mask;
}

/* One literal of a check: a string borrows the tree's NUL-terminated text
 * (fl_value_parse would only copy it), the other kinds are parsed. */
static int lit_value(fl_arena *a, fl_op op, fl_vkind kind, const fl_operand *o,
		     fl_value *out)
{
	if ((kind == FL_V_STR || kind == FL_V_BUF) && op != FL_OP_BCONTAINS &&
	    op != FL_OP_BSTARTSWITH && o->text) {
		memset(out, 0, sizeof(*out));
		out->kind = kind;
		out->s = o->text;
		out->len = o->len;
		return 0;
	}
	return fl_literal_parse(a, op, kind, o->text, o->len, out);
}

/* Reads the literals of `rhs` (a value, an identifier or a list) for `op`
 * on a left-hand `kind` into *le.  Returns 0 (le->rc tells whether Falco
 * accepts them) or FL_ENOMEM. */
static int lit_read(fl_arena *a, fl_op op, fl_vkind kind, const fl_operand *rhs,
		    lit_entry *le)
{
	if (rhs->kind != FL_OPERAND_LIST) {
		fl_value *v = fl_arena_alloc(a, sizeof(*v));
		if (!v)
			return FL_ENOMEM;
		int rc = lit_value(a, op, kind, rhs, v);
		if (rc == FL_EUSAGE) {
			le->rc = rc;
			le->msg = "value does not fit the field's type";
			return 0;
		}
		le->vals = v;
		le->n = 1;
		return rc;
	}
	uint32_t n = fl_operand_nitems(rhs);
	fl_value *buf = fl_arena_alloc(a, ((size_t)n + 1) * sizeof(*buf));
	if (!buf)
		return FL_ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		const fl_operand *it = fl_operand_item(rhs, i);
		if (it->kind != FL_OPERAND_VALUE && it->kind != FL_OPERAND_IDENT) {
			le->rc = FL_EUSAGE;
			le->msg = "list item is not a value";
			return 0;
		}
		int rc = lit_value(a, op, kind, it, &buf[i]);
		if (rc == FL_EUSAGE) {
			le->rc = rc;
			le->msg = "value does not fit the field's type";
			return 0;
		}
		if (rc)
			return rc;
	}
	le->vals = buf;
	le->n = n;
	if ((op == FL_OP_IN || op == FL_OP_INTERSECTS) && le->n >= LIT_SET_MIN)
		return fl_vset_new(a, buf, le->n, &le->set);
	return 0;
}

/* Takes entry x out of an open-addressing table of `cap` slots (a power
 * of 2, linear probing), if it is there: the entries after it that probed
 * past its slot move back, so that no tombstone is left.  home(x, mask) is
 * an entry's first slot; `removed` is set to 1 or 0.  A macro: the slots
 * of the two tables are arrays of different pointer types. */
#define TABLE_REMOVE(slot, cap, x, home, removed)                            \
	do {                                                                 \
		size_t m_ = (cap) - 1, i_ = home((x), m_), j_;                \
		while ((slot)[i_] && (slot)[i_] != (x))                      \
			i_ = (i_ + 1) & m_;                                  \
		(removed) = (slot)[i_] != NULL;                              \
		(slot)[i_] = NULL;                                           \
		for (j_ = i_; (removed);) {                                  \
			j_ = (j_ + 1) & m_;                                  \
			if (!(slot)[j_])                                     \
				break;                                       \
			size_t k_ = home((slot)[j_], m_);                    \
			if (i_ <= j_ ? (i_ < k_ && k_ <= j_) : (i_ < k_ || k_ <= j_)) \
				continue; /* reached from its home still */  \
			(slot)[i_] = (slot)[j_];                             \
			(slot)[j_] = NULL;                                   \
			i_ = j_;                                             \
		}                                                            \
	} while (0)

#define LIT_HOME(x, mask) lit_hash((x)->rhs, (x)->op, (x)->kind, (mask))

/* The literals of right-hand operand `rhs` for `op` on a left-hand `kind`,
 * read on first use (transient: rhs belongs to a node that
 * fl_evalenv_forget forgets); NULL on OOM. */
static const lit_entry *literals(fl_evalenv *env, fl_op op, fl_vkind kind,
				 const fl_operand *rhs, int transient)
{
	fl_arena *a = env->arena;
	struct fl_litcache *c = env->lits;
	if (!c) {
		if (!(c = fl_arena_alloc(a, sizeof(*c))))
			return NULL;
		env->lits = c;
	}
	if (2 * (c->n + 1) > c->cap) {
		/* grow: the old table stays in the arena (geometric, so at
		 * most as large as the final one) */
		size_t cap = c->cap ? 2 * c->cap : 64;
		lit_entry **slot = fl_arena_alloc(a, cap * sizeof(*slot));
		if (!slot)
			return NULL;
		for (size_t i = 0; i < c->cap; i++) {
			lit_entry *x = c->slot[i];
			if (!x)
				continue;
			size_t h = lit_hash(x->rhs, x->op, x->kind, cap - 1);
			while (slot[h])
				h = (h + 1) & (cap - 1);
			slot[h] = x;
		}
		c->slot = slot;
		c->cap = cap;
	}
	size_t h = lit_hash(rhs, op, kind, c->cap - 1);
	lit_entry *le;
	while ((le = c->slot[h])) {
		if (le->rhs == rhs && le->op == op && le->kind == kind)
			break;
		h = (h + 1) & (c->cap - 1);
	}
	if (le && le->text == rhs->text && le->parts == rhs->parts &&
	    le->nitems == fl_operand_nitems(rhs))
		return le;
	/* the condition's own literals go with its tree, not with the run */
	fl_arena *ea = transient && env->own_arena ? env->own_arena : a;
	lit_entry *fresh = fl_arena_alloc(ea, sizeof(*fresh));
	if (!fresh)
		return NULL;
	fresh->rhs = rhs;
	fresh->op = op;
	fresh->kind = kind;
	fresh->text = rhs->text;
	fresh->parts = rhs->parts;
	fresh->nitems = fl_operand_nitems(rhs);
	if (lit_read(ea, op, kind, rhs, fresh))
		return NULL; /* not kept: nothing half-read is reused */
	if (transient && FL_VEC_PUSH(a, c->made, fresh))
		return NULL;
	if (!le)
		c->n++;
	c->slot[h] = fresh;
	return fresh;
}

/* ---- checks, planned once ------------------------------------------------
 * What a check needs that does not depend on the event — its operator, the
 * validity of its fields for the condition's source, the kind its literals
 * are read as when the event does not give the field — is worked out the
 * first time the check is evaluated for a source and kept, keyed by the
 * check node and the source's catalogue id (until fl_evalenv_forget: the
 * node may then go): a rule's checks are evaluated once per scenario event,
 * a shared macro's once per event and rule. */

typedef struct check_plan {
	const fl_expr *e;       /* key, with src */
	const lit_entry *lit;   /* the literals last used (lit->kind) */
	int src;
	uint32_t id;            /* dense, for kept values; UINT32_MAX: none */
	unsigned char op_ok;    /* 0: an operator the evaluator does not know */
	unsigned char op;       /* fl_op (both asserted to fit below) */
	unsigned char mod;      /* fl_modifier */
	unsigned char lhs_kind; /* operand_kind(lhs), an fl_vkind */
	unsigned char lhs_bad;  /* operand_invalid(lhs) */
	unsigned char rhs_bad;  /* operand_invalid(rhs), for a field rhs */
	unsigned char ancestor; /* lhs is an ancestor field without index */
	unsigned char transient; /* e is a node fl_evalenv_forget forgets */
} check_plan;
_Static_assert(FL_NOPS <= 256 && FL_NMODIFIERS <= 256, "check_plan.op and .mod are bytes");

struct fl_plancache {
	check_plan **slot;      /* open addressing, NULL empty */
	size_t cap, n;
	uint32_t ids;           /* ids given so far */
	/* Transient plans: tmp.v[0..live) are in the table; the rest were
	 * forgotten and are reused, id included, so that ids (and the kept
	 * values they index) do not grow with the number of rules. */
	FL_VEC(check_plan *) tmp;
	size_t live;
};

/* Catalogue id of the env's source (fl_field_resolve depends on no more). */
static int env_src(fl_evalenv *env)
{
	if (!env->plan_src_set || env->plan_source != env->source) {
		env->plan_source = env->source;
		env->plan_src = env->source
			? fl_source_lookup(env->source, strlen(env->source))
			: FL_SRC_SYSCALL;
		env->plan_src_set = 1;
	}
	return env->plan_src;
}

static void plan_make(fl_evalenv *env, const fl_expr *e, int src, check_plan *p)
{
	const fl_operand *lhs = e->u.check.lhs, *rhs = e->u.check.rhs;
	memset(p, 0, sizeof(*p));
	p->e = e;
	p->src = src;
	p->id = UINT32_MAX;
	p->op_ok = (unsigned)e->u.check.op < FL_NOPS;
	p->op = (unsigned char)e->u.check.op;
	p->mod = (unsigned char)e->u.check.mod;
	p->lhs_kind = (unsigned char)operand_kind(env, lhs);
	p->lhs_bad = (unsigned char)operand_invalid(env, lhs);
	p->rhs_bad = rhs && rhs->kind != FL_OPERAND_VALUE && rhs->kind != FL_OPERAND_IDENT &&
		     rhs->kind != FL_OPERAND_LIST && operand_invalid(env, rhs);
	p->ancestor = lhs->kind == FL_OPERAND_FIELD && !fl_operand_arg(lhs) &&
		      is_ancestor_field(lhs->text);
}

static size_t plan_hash(const fl_expr *e, int src, size_t mask)
{
	uint64_t h = (uint64_t)(uintptr_t)e ^ (uint64_t)(unsigned)src << 56;
	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 17) & mask;
}

/* The plan of check `e` (a node of an evaluated tree) for the env's
 * source, made on first use; NULL on OOM. */
static check_plan *plan_of(fl_evalenv *env, const fl_expr *e)
{
	fl_arena *a = env->arena;
	int src = env_src(env);
	struct fl_plancache *c = env->plans;
	if (!c) {
		if (!(c = fl_arena_alloc(a, sizeof(*c))))
			return NULL;
		env->plans = c;
	}
	if (c->cap) {
		size_t h = plan_hash(e, src, c->cap - 1);
		check_plan *p;
		while ((p = c->slot[h])) {
			if (p->e == e && p->src == src)
				return p;
			h = (h + 1) & (c->cap - 1);
		}
	}
	if (2 * (c->n + 1) > c->cap) {
		/* grow: the old table stays in the arena (geometric) */
		size_t cap = c->cap ? 2 * c->cap : 256;
		check_plan **slot = fl_arena_alloc(a, cap * sizeof(*slot));
		if (!slot)
			return NULL;
		for (size_t i = 0; i < c->cap; i++) {
			check_plan *x = c->slot[i];
			if (!x)
				continue;
			size_t h = plan_hash(x->e, x->src, cap - 1);
			while (slot[h])
				h = (h + 1) & (cap - 1);
			slot[h] = x;
		}
		c->slot = slot;
		c->cap = cap;
	}
	/* Met outside every macro body, `e` is a node of the condition being
	 * evaluated (macro bodies are the env's own, kept as long as it). */
	int transient = env->in_macro == 0;
	check_plan *p;
	uint32_t id;
	if (transient && c->live < c->tmp.n) {
		p = c->tmp.v[c->live++];
		id = p->id;
	} else {
		if (c->ids == UINT32_MAX || !(p = fl_arena_alloc(a, sizeof(*p))) ||
		    (transient && FL_VEC_PUSH(a, c->tmp, p)))
			return NULL;
		id = c->ids++;
		c->live += (size_t)transient;
	}
	plan_make(env, e, src, p);
	p->id = id;
	p->transient = (unsigned char)transient;
	size_t h = plan_hash(e, src, c->cap - 1);
	while (c->slot[h])
		h = (h + 1) & (c->cap - 1);
	c->slot[h] = p;
	c->n++;
	return p;
}

/* ---- values kept across evaluations (fl_evalenv_keep) --------------------
 * Per event and source: the value of each planned check, and of each
 * acyclic macro with the nesting its evaluation reaches (a kept value is
 * used only where evaluating afresh would not hit the nesting limit, so
 * values are exactly those of evaluating every time). */

/* Kept bytes at most; beyond, evaluation goes on without keeping more
 * (a hostile ruleset times a hostile scenario file). */
#define KEEP_MAX_BYTES ((size_t)32 << 20)
/* memo_height of a value whose evaluation hit the nesting limit */
#define HEIGHT_LIMITED (1u << 30)

typedef struct evkey {
	const fl_sevent *ev;    /* key, with src */
	int src;
	uint8_t *mval;          /* per macro slot: 0 none, else 1 + fl_tv */
	uint16_t *mheight;      /* per macro slot: memo_height of mval */
	uint8_t *cval;          /* per plan id: 0 none, else 1 + fl_tv */
	uint32_t ccap;
} evkey;

/* Macro references resolved lately (direct-mapped by node: a rule's
 * references are met again on each event and in its explanations). */
#define REF_CACHE 256u

typedef struct mref {
	const fl_expr *node;    /* NULL: empty */
	const fl_expr *body;
	uint32_t slot;
} mref;

struct fl_evkeep {
	const unsigned char *acyclic;
	mref refs[REF_CACHE];
	evkey **slot;           /* open addressing, NULL empty */
	size_t cap, n;
	size_t bytes;           /* kept so far, against KEEP_MAX_BYTES */
	evkey *cur;             /* the key last used */
	const char *cur_source; /* the env's source when it was */
};

int fl_evalenv_keep(fl_evalenv *env, const unsigned char *acyclic)
{
	struct fl_evkeep *k = fl_arena_alloc(env->arena, sizeof(*k));
	if (!k)
		return FL_ENOMEM;
	k->acyclic = acyclic;
	env->keep = k;
	return 0;
}

static size_t key_hash(const fl_sevent *ev, int src, size_t mask)
{
	uint64_t h = (uint64_t)(uintptr_t)ev ^ (uint64_t)(unsigned)src << 56;
	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 17) & mask;
}

/* keep_key() when the key is not the one last used. */
static evkey *keep_key_find(fl_evalenv *env, const fl_sevent *ev)
{
	struct fl_evkeep *k = env->keep;
	int src = env_src(env);
	k->cur = NULL;
	k->cur_source = env->source;
	evkey *x;
	if (k->cap) {
		size_t h = key_hash(ev, src, k->cap - 1);
		while ((x = k->slot[h])) {
			if (x->ev == ev && x->src == src)
				return k->cur = x;
			h = (h + 1) & (k->cap - 1);
		}
	}
	size_t need = sizeof(*x) + env->nslots * (sizeof(*x->mval) + sizeof(*x->mheight));
	if (k->bytes + need > KEEP_MAX_BYTES)
		return NULL;
	if (2 * (k->n + 1) > k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 16;
		evkey **slot = fl_arena_alloc(env->arena, cap * sizeof(*slot));
		if (!slot)
			return NULL;
		for (size_t i = 0; i < k->cap; i++) {
			evkey *y = k->slot[i];
			if (!y)
				continue;
			size_t h = key_hash(y->ev, y->src, cap - 1);
			while (slot[h])
				h = (h + 1) & (cap - 1);
			slot[h] = y;
		}
		k->slot = slot;
		k->cap = cap;
	}
	x = fl_arena_alloc(env->arena, sizeof(*x));
	if (!x)
		return NULL;
	x->ev = ev;
	x->src = src;
	if (env->nslots) {
		x->mval = fl_arena_alloc(env->arena, env->nslots * sizeof(*x->mval));
		x->mheight = fl_arena_alloc(env->arena, env->nslots * sizeof(*x->mheight));
		if (!x->mval || !x->mheight)
			return NULL;
	}
	k->bytes += need;
	size_t h = key_hash(ev, src, k->cap - 1);
	while (k->slot[h])
		h = (h + 1) & (k->cap - 1);
	k->slot[h] = x;
	k->n++;
	return k->cur = x;
}

/* The kept values of event `ev` under the env's source, created on first
 * use; NULL when no more can be kept (bound reached, or out of memory:
 * keeping is then given up, evaluating goes on). */
static inline evkey *keep_key(fl_evalenv *env, const fl_sevent *ev)
{
	struct fl_evkeep *k = env->keep;
	if (k->cur && k->cur->ev == ev && k->cur_source == env->source)
		return k->cur;
	return keep_key_find(env, ev);
}

/* Keeps value `t` of the check planned with `id` for key x (when the
 * bound allows). */
static void keep_check(fl_evalenv *env, evkey *x, uint32_t id, fl_tv t)
{
	struct fl_evkeep *k = env->keep;
	if (id == UINT32_MAX)
		return;
	if (id >= x->ccap) {
		size_t cap = x->ccap ? 2 * (size_t)x->ccap : 256;
		while (cap <= id)
			cap *= 2;
		if (cap > UINT32_MAX || k->bytes + cap > KEEP_MAX_BYTES)
			return;
		uint8_t *v = fl_arena_realloc(env->arena, x->cval, x->ccap, cap);
		if (!v)
			return;
		k->bytes += cap;
		x->cval = v;
		x->ccap = (uint32_t)cap;
	}
	x->cval[id] = (uint8_t)(1 + t);
}

#define PLAN_HOME(x, mask) plan_hash((x)->e, (x)->src, (mask))

void fl_evalenv_forget(fl_evalenv *env)
{
	struct fl_plancache *pc = env->plans;
	struct fl_litcache *lc = env->lits;
	struct fl_evkeep *k = env->keep;
	/* Entry by entry, not table by table: the tables hold the macros'
	 * entries too, and a condition has a few entries of its own. */
	for (size_t i = 0; lc && i < lc->made.n; i++) {
		int removed; /* not when replaced in place (literals()) */
		TABLE_REMOVE(lc->slot, lc->cap, lc->made.v[i], LIT_HOME, removed);
		lc->n -= (size_t)removed;
	}
	if (lc)
		lc->made.n = 0;
	if (k)
		memset(k->refs, 0, sizeof(k->refs));
	if (!pc || !pc->live)
		return;
	for (size_t i = 0; i < pc->live; i++) {
		int removed;
		TABLE_REMOVE(pc->slot, pc->cap, pc->tmp.v[i], PLAN_HOME, removed);
		pc->n -= (size_t)removed;
	}
	/* the ids are given again: their kept values go */
	for (size_t i = 0; k && i < k->cap; i++) {
		evkey *x = k->slot[i];
		for (size_t j = 0; x && j < pc->live; j++)
			if (pc->tmp.v[j]->id < x->ccap)
				x->cval[pc->tmp.v[j]->id] = 0;
	}
	pc->live = 0;
}

/* The body and memo slot of macro reference `e` (NULL: unknown, or did
 * not parse); with values kept, from the cache of references. */
static inline const fl_expr *macro_ref(fl_evalenv *env, const fl_expr *e, uint32_t *slot)
{
	*slot = UINT32_MAX;
	if (!env->macro)
		return NULL;
	if (!env->keep)
		return env->macro(env->ctx, e->u.macro.name, e->u.macro.len, slot);
	uint64_t h = (uint64_t)(uintptr_t)e * 0x9e3779b97f4a7c15ULL;
	mref *c = &env->keep->refs[(h >> 32) % REF_CACHE];
	if (c->node != e) {
		c->node = e;
		c->slot = UINT32_MAX;
		c->body = env->macro(env->ctx, e->u.macro.name, e->u.macro.len, &c->slot);
	}
	*slot = c->slot;
	return c->body;
}

static fl_tv eval_planned(fl_evalenv *env, const fl_expr *e, check_plan *p,
			  const fl_sevent *ev);

/* Evaluates check `e`, which is not a node of an evaluated tree (a
 * variant built on the stack): planned afresh, not kept. */
static fl_tv eval_check_once(fl_evalenv *env, const fl_expr *e, const fl_sevent *ev)
{
	check_plan p;
	plan_make(env, e, env_src(env), &p);
	return eval_planned(env, e, &p, ev);
}

static fl_tv eval_check(fl_evalenv *env, const fl_expr *e, const fl_sevent *ev)
{
	check_plan *p = plan_of(env, e);
	if (!p) {
		fail(env, FL_ENOMEM, NULL);
		return FL_UNKNOWN;
	}
	evkey *x = env->keep ? keep_key(env, ev) : NULL;
	if (x && p->id < x->ccap && x->cval[p->id])
		return (fl_tv)(x->cval[p->id] - 1);
	unsigned noom = env->noom;
	fl_tv t = eval_planned(env, e, p, ev);
	if (x && env->noom == noom)
		keep_check(env, x, p->id, t);
	return t;
}

static fl_tv eval_planned(fl_evalenv *env, const fl_expr *e, check_plan *p,
			  const fl_sevent *ev)
{
	const fl_operand *lhs = e->u.check.lhs, *rhs = e->u.check.rhs;
	fl_op op = (fl_op)p->op;
	if (!p->op_ok) {
		fail(env, FL_EUSAGE, "unknown operator");
		return FL_UNKNOWN;
	}

	fl_value lv;
	if (p->lhs_bad)
		fail(env, FL_EUSAGE, "invalid field");
	if (operand_value(env, lhs, ev, &lv)) {
		fail(env, FL_ENOMEM, NULL);
		return FL_UNKNOWN;
	}
	fl_vkind kind = lv.kind == FL_V_LIST ? (lv.n ? lv.items[0].kind : FL_V_STR)
		: (lv.kind == FL_V_UNKNOWN || lv.kind == FL_V_NONE) ? (fl_vkind)p->lhs_kind
		: lv.kind;

	/* proc.aname = x without an index: any known ancestor decides true,
	 * otherwise the ancestors not given leave it open. */
	if (p->ancestor && lv.kind == FL_V_UNKNOWN) {
		fl_tv acc = FL_UNKNOWN;
		for (uint32_t i = 0; i < ev->nfields && acc != FL_TRUE; i++) {
			const fl_sfield *f = &ev->fields[i];
			if (!f->arg || strcmp(f->name, lhs->text))
				continue;
			fl_operand one = *lhs, arg;
			fl_operand_parts parts;
			set_arg(&one, f->arg, &parts, &arg);
			fl_expr sub = *e;
			sub.u.check.lhs = &one;
			if (eval_check_once(env, &sub, ev) == FL_TRUE)
				acc = FL_TRUE;
		}
		if (fl_sevent_field(ev, "proc.pname", NULL) && !strcmp(lhs->text, "proc.aname")) {
			fl_operand one = *lhs, arg;
			fl_operand_parts parts;
			set_arg(&one, "1", &parts, &arg);
			fl_expr sub = *e;
			sub.u.check.lhs = &one;
			if (eval_check_once(env, &sub, ev) == FL_TRUE)
				acc = FL_TRUE;
		}
		return acc;
	}

	fl_value one;
	const fl_value *vals = NULL;
	const fl_vset *set = NULL;
	size_t n = 0;
	if (rhs) {
		if (rhs->kind == FL_OPERAND_VALUE || rhs->kind == FL_OPERAND_IDENT ||
		    rhs->kind == FL_OPERAND_LIST) {
			const lit_entry *le = p->lit;
			if (!le || le->kind != kind || le->rhs != rhs || le->text != rhs->text ||
			    le->parts != rhs->parts || le->nitems != fl_operand_nitems(rhs))
				le = p->lit = literals(env, op, kind, rhs, p->transient);
			if (!le) {
				fail(env, FL_ENOMEM, NULL);
				return FL_UNKNOWN;
			}
			if (le->rc) {
				fail(env, le->rc, le->msg);
				return FL_UNKNOWN;
			}
			vals = le->vals;
			n = le->n;
			set = le->set;
		} else {
			/* val(field) or a transformed field on the right */
			if (p->rhs_bad)
				fail(env, FL_EUSAGE, "invalid field");
			if (operand_value(env, rhs, ev, &one)) {
				fail(env, FL_ENOMEM, NULL);
				return FL_UNKNOWN;
			}
			if (one.kind == FL_V_LIST) {
				vals = one.items;
				n = one.n;
			} else {
				vals = &one;
				n = 1;
			}
		}
	}
	fl_tv out;
	int rc = fl_compare_set(env->ops, op, (fl_modifier)p->mod, &lv, vals, n, set, &out);
	if (rc) {
		fail(env, rc, rc == FL_EUSAGE ? "comparison not supported for the field's type" : NULL);
		return FL_UNKNOWN;
	}
	return out;
}

static fl_tv eval_node(fl_evalenv *env, const fl_expr *e, const fl_sevent *ev)
{
	if (++env->depth > env->reach)
		env->reach = env->depth;
	if (env->depth > env->max_depth) {
		env->depth--;
		fail(env, FL_EUSAGE, "condition nested too deeply");
		return FL_UNKNOWN;
	}
	fl_tv r = FL_UNKNOWN;
	switch (e->kind) {
	case FL_EXPR_AND:
		r = FL_TRUE;
		for (uint32_t i = 0; i < e->u.kids.n && r != FL_FALSE; i++)
			r = fl_tv_and(r, eval_node(env, e->u.kids.v[i], ev));
		break;
	case FL_EXPR_OR:
		r = FL_FALSE;
		for (uint32_t i = 0; i < e->u.kids.n && r != FL_TRUE; i++)
			r = fl_tv_or(r, eval_node(env, e->u.kids.v[i], ev));
		break;
	case FL_EXPR_NOT:
		r = fl_tv_not(eval_node(env, e->u.child, ev));
		break;
	case FL_EXPR_CHECK:
		r = eval_check(env, e, ev);
		break;
	case FL_EXPR_MACRO: {
		uint32_t slot;
		const fl_expr *body = macro_ref(env, e, &slot);
		if (!body || slot >= env->nslots) {
			r = FL_UNKNOWN;
			break;
		}
		uint32_t height;
		evkey *x = NULL;
		if (env->memo_gen[slot] == env->gen) {
			r = env->memo[slot];
			height = env->memo_height[slot];
		} else if (env->keep && env->keep->acyclic[slot] && (x = keep_key(env, ev)) &&
			   x->mval[slot] && env->depth + x->mheight[slot] <= env->max_depth) {
			/* evaluating afresh here would give the same value */
			r = (fl_tv)(x->mval[slot] - 1);
			height = x->mheight[slot];
			env->memo_gen[slot] = env->gen;
			env->memo[slot] = r;
			env->memo_height[slot] = height;
		} else {
			/* Unknown while in progress: a cycle cannot recurse
			 * forever. */
			env->memo_gen[slot] = env->gen;
			env->memo[slot] = FL_UNKNOWN;
			env->memo_height[slot] = 0;
			unsigned outer = env->reach, noom = env->noom;
			env->reach = env->depth;
			env->in_macro++;
			r = eval_node(env, body, ev);
			env->in_macro--;
			height = env->reach > env->max_depth ? HEIGHT_LIMITED
							     : env->reach - env->depth;
			env->memo[slot] = r;
			env->memo_height[slot] = height;
			if (x && height <= UINT16_MAX && env->noom == noom) {
				x->mval[slot] = (uint8_t)(1 + r);
				x->mheight[slot] = (uint16_t)height;
			}
			if (outer > env->reach)
				env->reach = outer;
		}
		/* what evaluating the body here would reach, for the
		 * height of the macros being evaluated around it */
		if (env->depth + height > env->reach)
			env->reach = env->depth + height;
		break;
	}
	default:
		r = FL_UNKNOWN;
		break;
	}
	env->depth--;
	return r;
}

fl_tv fl_eval(fl_evalenv *env, const fl_expr *e, const fl_sevent *ev)
{
	if (++env->gen == 0) {
		/* generation counter wrapped: forget everything explicitly */
		if (env->nslots)
			memset(env->memo_gen, 0, env->nslots * sizeof(*env->memo_gen));
		env->gen = 1;
	}
	env->depth = 0;
	env->reach = 0;
	return eval_node(env, e, ev);
}

/* ---- the session stage -------------------------------------------------- */

/* Bounds of the explanations: hostile rulesets nest and share macros
 * without limit, and a note beyond the first few helps no one. */
#define MAX_WALK_DEPTH 64u
#define MAX_NOTES 6u
#define MAX_CLAUSES 256u
#define MAX_CLAUSE_TEXT 160u
#define WALK_BUDGET 4096u  /* nodes visited per explanation (shared macros) */

/* A piece of a condition and the text its offsets refer to. */
typedef struct cpart {
	const fl_expr *e;
	const fl_text *t;
} cpart;
typedef FL_VEC(cpart) cparts;

typedef struct why {
	fl_span span;
	const char *msg;
} why;
typedef FL_VEC(why) whys;

typedef FL_VEC(const char *) names;

/* Rules that fire / may fire on one scenario event (kept for `eval`). */
typedef struct res_acc {
	const fl_scenario *sc;
	const fl_sevent *ev;
	names fires, may;
} res_acc;

typedef FL_VEC(fl_span) spans;

typedef struct fl_rseval {
	fl_session *s;
	fl_ruleset *rs;
	fl_scenarios *scs;
	unsigned drv;
	fl_list_def *lists;        /* compiled, in first-definition order;
				    * NULL until parse_cond needs them */
	const fl_expr **macro_ast; /* per macro (ruleset order); NULL: broken */
	fl_text *macro_text;       /* the substituted text macro_ast indexes */
	/* The rule being evaluated (rule_cond): its condition is parsed once
	 * into rule_arena, which is emptied when the next rule comes, so
	 * that the session arena holds no rule's tree. */
	const fl_rule *rule;
	const fl_expr *rule_cond;  /* NULL: not evaluated (or does not parse) */
	fl_text rule_text;
	int rule_exc;
	fl_arena *rule_arena;
	fl_opctx *ops;
	fl_evalenv env;
	spans seen503, seen504;    /* clauses already reported */
	unsigned budget;           /* nodes left for the current explanation */
	int oom;
	/* judge_exemptions' flattening of the current rule's condition over
	 * `and`: it does not depend on the event, so it is done once per rule
	 * rather than once per event (buffers reused from rule to rule) */
	const fl_expr *conj_of;    /* the condition conj holds, or NULL */
	const fl_text *conj_text;
	cparts conj, cl;
	unsigned conj_budget;      /* budget left after flattening it */
} rs_eval;

/* Number of lists (a prefix of the first-definition order) an item whose
 * visibility is `vis` can see. */
static size_t visible_lists(const fl_ruleset *rs, uint32_t vis)
{
	size_t lo = 0, hi = rs->lists.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (rs->lists.v[mid]->c.order < vis)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Compiles the ruleset's lists for parse_cond.  Only items the compile
 * stage did not build need them, so this runs on first use: a ruleset of
 * large lists is not copied again for nothing.  Returns 0 or FL_ENOMEM. */
static int prepare_lists(rs_eval *r)
{
	fl_arena *a = r->s->arena;
	fl_ruleset *rs = r->rs;
	size_t nl = rs->lists.n;
	fl_list_src *src = fl_arena_alloc(a, (nl + 1) * sizeof(*src));
	fl_list_def *lists = fl_arena_alloc(a, (nl + 1) * sizeof(*lists));
	if (!src || !lists)
		return FL_ENOMEM;
	for (size_t i = 0; i < nl; i++) {
		const fl_list *l = rs->lists.v[i];
		const char **items = fl_arena_alloc(a, (l->items.n + 1) * sizeof(*items));
		if (!items)
			return FL_ENOMEM;
		for (size_t j = 0; j < l->items.n; j++)
			if (!(items[j] = fl_arena_strndup(a, l->items.v[j].s, l->items.v[j].len)))
				return FL_ENOMEM;
		src[i].name = l->c.name;
		src[i].index = (uint32_t)i;
		src[i].visibility = (uint32_t)visible_lists(rs, l->c.visibility);
		src[i].items = items;
		src[i].nitems = l->items.n;
	}
	if (fl_list_compile(a, src, nl, lists, NULL))
		return FL_ENOMEM;
	r->lists = lists;
	return 0;
}

/* Substitutes lists into `cond` and parses it into arena `a`; NULL when it
 * does not parse (the compile stage reports that) or on OOM (*oom set).
 * *out receives the substituted text (in `a`), whose positions map the tree
 * back to the file. */
static const fl_expr *parse_cond(rs_eval *r, fl_arena *a, const fl_text *cond, uint32_t vis,
				 fl_text *out, int *oom)
{
	if (!cond->s)
		return NULL;
	if (!r->lists && prepare_lists(r)) {
		*oom = 1;
		return NULL;
	}
	if (fl_list_substitute(a, cond, r->lists, visible_lists(r->rs, vis), out, NULL)) {
		*oom = 1;
		return NULL;
	}
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(a, out->s, out->len, r->s->opt.limits.max_expr_depth, &errs);
	if (!e) {
		*oom = 1;
		return NULL;
	}
	return errs.n ? NULL : e;
}

static const fl_expr *resolve_macro(void *ctx, const char *name, uint32_t len,
				    uint32_t *slot)
{
	rs_eval *r = ctx;
	const fl_macro *m = fl_ruleset_macro(r->rs, name, len);
	if (!m)
		return NULL;
	/* macros are kept in first-definition order: search by order */
	size_t lo = 0, hi = r->rs->macros.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->rs->macros.v[mid]->c.order < m->c.order)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= r->rs->macros.n || r->rs->macros.v[lo] != m)
		return NULL;
	*slot = (uint32_t)lo;
	return r->macro_ast[lo];
}

static int prepare(rs_eval *r)
{
	fl_arena *a = r->s->arena;
	fl_ruleset *rs = r->rs;
	r->macro_ast = fl_arena_alloc(a, (rs->macros.n + 1) * sizeof(*r->macro_ast));
	r->macro_text = fl_arena_alloc(a, (rs->macros.n + 1) * sizeof(*r->macro_text));
	if (!r->macro_ast || !r->macro_text)
		return FL_ENOMEM;
	for (size_t i = 0; i < rs->macros.n; i++) {
		const fl_macro *m = rs->macros.v[i];
		int oom = 0;
		const fl_cmacro *cm = m->compiled;
		if (cm) {
			/* what the compile stage parsed, exactly as Falco does */
			r->macro_ast[i] = cm->ast;
			r->macro_text[i] = cm->text;
			continue;
		}
		r->macro_ast[i] = parse_cond(r, a, &m->cond, m->c.visibility, &r->macro_text[i],
					     &oom);
		if (oom)
			return FL_ENOMEM;
	}
	return 0;
}

/* The --driver selection of the session (0: every driver). */
static unsigned driver_of(const fl_session *s)
{
	unsigned drv = 0;
	if (s->opt.driver && fl_driver_parse(s->opt.driver, &drv))
		drv = 0; /* the CLI validates --driver */
	return drv;
}

/* The macros (by slot) from which no reference loop is reachable, as the
 * evaluator resolves names: their value depends on the event alone, so
 * it may be kept from one rule to the next.  Depth-first, with explicit
 * stacks (hostile rulesets nest without limit); a loop marks the macro
 * that closes it, and a mark spreads to every macro that reaches a marked
 * one.  NULL on OOM. */
static const unsigned char *macro_acyclic(rs_eval *r)
{
	fl_arena *a = r->s->arena;
	size_t n = r->rs->macros.n;
	unsigned char *ok = fl_arena_alloc(a, n + 1);
	unsigned char *color = fl_arena_alloc(a, n + 1); /* 1 on the path, 2 done */
	size_t *off = fl_arena_alloc(a, (n + 1) * sizeof(*off));
	if (!ok || !color || !off)
		return NULL;
	/* references of macro i: to.v[off[i] .. off[i + 1]) */
	FL_VEC(uint32_t) to = {0};
	FL_VEC(const fl_expr *) walk = {0};
	for (size_t i = 0; i < n; i++) {
		off[i] = to.n;
		ok[i] = 1;
		walk.n = 0;
		if (r->macro_ast[i] && FL_VEC_PUSH(a, walk, r->macro_ast[i]))
			return NULL;
		while (walk.n) {
			const fl_expr *e = walk.v[--walk.n];
			int rc = 0;
			uint32_t slot = UINT32_MAX;
			if (e->kind == FL_EXPR_AND || e->kind == FL_EXPR_OR) {
				for (uint32_t k = 0; k < e->u.kids.n && !rc; k++)
					rc = FL_VEC_PUSH(a, walk, e->u.kids.v[k]);
			} else if (e->kind == FL_EXPR_NOT) {
				rc = FL_VEC_PUSH(a, walk, e->u.child);
			} else if (e->kind == FL_EXPR_MACRO &&
				   resolve_macro(r, e->u.macro.name, e->u.macro.len, &slot) &&
				   slot < n) {
				rc = FL_VEC_PUSH(a, to, slot);
			}
			if (rc)
				return NULL;
		}
	}
	off[n] = to.n;
	typedef struct frame { uint32_t m; size_t next; } frame;
	FL_VEC(frame) path = {0};
	for (size_t root = 0; root < n; root++) {
		if (color[root])
			continue;
		color[root] = 1;
		if (FL_VEC_PUSH(a, path, ((frame){(uint32_t)root, off[root]})))
			return NULL;
		while (path.n) {
			frame *f = &path.v[path.n - 1];
			if (f->next < off[f->m + 1]) {
				uint32_t x = to.v[f->next++];
				if (color[x] == 1)
					ok[f->m] = 0; /* closes a loop */
				else if (color[x] == 2)
					ok[f->m] &= ok[x];
				else {
					color[x] = 1;
					if (FL_VEC_PUSH(a, path, ((frame){x, off[x]})))
						return NULL;
				}
				continue;
			}
			uint32_t done = f->m;
			color[done] = 2;
			if (--path.n)
				ok[path.v[path.n - 1].m] &= ok[done];
		}
	}
	return ok;
}

/* Prepares r (s, rs and drv set) for evaluating: lists, macros, the
 * evaluation environment.  Returns 0 or FL_ENOMEM. */
static int begin(rs_eval *r)
{
	int rc = prepare(r);
	if (rc)
		return rc;
	if (!(r->ops = fl_opctx_new(r->s->arena)))
		return FL_ENOMEM;
	rc = fl_evalenv_init(&r->env, r->s->arena, r->ops, (uint32_t)r->rs->macros.n,
			     resolve_macro, r);
	if (rc)
		return rc;
	/* the session's events and macros stay as they are: values of checks
	 * and macros are kept from one rule to the next */
	const unsigned char *acyclic = macro_acyclic(r);
	return acyclic ? fl_evalenv_keep(&r->env, acyclic) : FL_ENOMEM;
}

static int rule_has_exceptions(const fl_rule *rule)
{
	for (size_t i = 0; i < rule->exceptions.n; i++)
		if (rule->exceptions.v[i].nvalues)
			return 1;
	return 0;
}

/* rule_cond() of `rule`, parsed into r->rule_arena (created on first use). */
static const fl_expr *parse_rule(rs_eval *r, const fl_rule *rule, fl_text *text, int *exc,
				 int *oom)
{
	const fl_crule *cr = rule->compiled;
	*exc = 0;
	if (rule->source_unknown)
		return NULL;
	if (cr && (!cr->ok || cr->dropped || !cr->parsed))
		return NULL; /* Falco would not load it */
	if (!r->rule_arena && !(r->rule_arena = fl_arena_new_scratch())) {
		*oom = 1;
		return NULL;
	}
	/* reset with the rule's tree, after fl_evalenv_forget (rule_cond) */
	r->env.own_arena = r->rule_arena;
	if (cr) {
		/* the final condition: appends joined, exceptions folded in */
		const fl_expr *e = fl_compile_rule_cond(r->s, cr, r->rule_arena, text);
		*oom = !e;
		return e;
	}
	*exc = rule_has_exceptions(rule);
	return parse_cond(r, r->rule_arena, &rule->cond, rule->c.visibility, text, oom);
}

/* The condition rule `rule` is evaluated by, and its text into *text: the
 * compile stage's final tree when it ran (NULL when Falco would not load
 * the rule), else our own parse without the exceptions (*exc set when it
 * has some: a true value may then be exempted).  NULL also when it does
 * not parse, or on OOM (*oom set).  Parsed once for consecutive calls on
 * one rule (a rule meets every scenario in turn); the previous rule's tree
 * is dropped, and with it what the evaluator kept about its nodes. */
static const fl_expr *rule_cond(rs_eval *r, const fl_rule *rule, fl_text *text,
				int *exc, int *oom)
{
	if (rule != r->rule) {
		fl_evalenv_forget(&r->env);
		if (r->rule_arena)
			fl_arena_reset(r->rule_arena);
		r->conj_of = NULL;
		r->rule = NULL;
		r->rule_cond = parse_rule(r, rule, &r->rule_text, &r->rule_exc, oom);
		if (*oom)
			return NULL;
		r->rule = rule;
	}
	*text = r->rule_text;
	*exc = r->rule_exc;
	return r->rule_cond;
}

int fl_rseval_new(fl_session *s, fl_rseval **out)
{
	*out = NULL;
	if (!s->rs)
		return FL_EUSAGE;
	rs_eval *r = fl_arena_alloc(s->arena, sizeof(*r));
	if (!r)
		return FL_ENOMEM;
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->rs = s->rs;
	r->drv = driver_of(s);
	int rc = begin(r);
	if (rc) {
		fl_rseval_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int fl_rseval_rule(fl_rseval *r, const fl_rule *rule, const fl_scenario *sc, int *out)
{
	int oom = 0, exc = 0;
	fl_text text;
	const fl_expr *cond = rule_cond(r, rule, &text, &exc, &oom);
	if (oom)
		return FL_ENOMEM;
	r->env.source = rule->source;
	for (uint32_t i = 0; i < sc->nevents; i++) {
		const fl_sevent *ev = &sc->events[i];
		fl_tv t = FL_UNKNOWN;
		if (!fl_sevent_has_driver(ev, r->drv)) {
			out[i] = FL_EVAL_SKIP;
			continue;
		}
		if (cond)
			t = fl_eval(&r->env, cond, ev);
		out[i] = exc && t == FL_TRUE ? FL_UNKNOWN : (int)t;
	}
	return r->env.error == FL_ENOMEM ? FL_ENOMEM : 0;
}

void fl_rseval_free(fl_rseval *r)
{
	if (!r)
		return;
	if (r->ops)
		fl_opctx_release(r->ops);
	r->ops = NULL;
	fl_arena_free(r->rule_arena);
	r->rule_arena = NULL;
	r->rule = NULL;
}

/* Takes one node from the explanation budget; 0 when it is spent. */
static int spend(rs_eval *r)
{
	if (!r->budget)
		return 0;
	r->budget--;
	return 1;
}

/* Value of a sub-condition for the event fl_eval last started: macro
 * values computed then are reused, so explaining costs no more than
 * evaluating. */
static fl_tv sub(rs_eval *r, const fl_expr *e, const fl_sevent *ev)
{
	r->env.depth = 0;
	r->env.reach = 0;
	return eval_node(&r->env, e, ev);
}

static const fl_expr *macro_body(rs_eval *r, const fl_expr *m, const fl_text **t)
{
	uint32_t slot;
	const fl_expr *b = macro_ref(&r->env, m, &slot);
	if (b)
		*t = &r->macro_text[slot];
	return b;
}

static int name_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	       c == '/' || c == ':';
}

/* A clause as its author wrote it (list names, not their items), blanks
 * folded to one space, cut at MAX_CLAUSE_TEXT bytes; *sp = its span. */
static const char *clause_text(rs_eval *r, const fl_text *t, const fl_expr *e,
			       fl_span *sp)
{
	fl_arena *a = r->s->arena;
	*sp = fl_text_span(t, e->start, e->end);
	if (sp->src >= r->s->sources.n)
		return fl_expr_format(a, e);
	/* Text built rather than written (exception clauses) maps to scattered
	 * positions: quote it as the canonical printer spells it. */
	fl_pos prev = fl_text_pos(t, e->start);
	for (uint32_t i = e->start; i + 1 < e->end; i++) {
		fl_pos next = fl_text_pos(t, i + 1);
		if (next.src != prev.src || next.off < prev.off || next.off - prev.off > 64)
			return fl_expr_format(a, e);
		prev = next;
	}
	const fl_source *src = r->s->sources.v[sp->src];
	/* Bytes inserted by list substitution share the list name's position:
	 * a clause ending inside them ends, in the file, after the name. */
	fl_pos l1 = fl_text_pos(t, e->end >= 1 ? e->end - 1 : 0);
	fl_pos l2 = fl_text_pos(t, e->end >= 2 ? e->end - 2 : 0);
	if (e->end >= 2 && l1.src == l2.src && l1.off == l2.off) {
		uint32_t q = sp->end - 1;
		while (q < src->len && name_byte((unsigned char)src->data[q]))
			q++;
		if (q > sp->end)
			sp->end = q;
	}
	char *buf = fl_arena_alloc(a, MAX_CLAUSE_TEXT + 8);
	if (!buf)
		return NULL;
	size_t n = 0;
	int blank = 0;
	for (uint32_t i = sp->start; i < sp->end && i < src->len; i++) {
		char c = src->data[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			blank = n > 0;
			continue;
		}
		if (n + 2 > MAX_CLAUSE_TEXT) {
			memcpy(buf + n, "...", 4);
			return buf;
		}
		if (blank)
			buf[n++] = ' ';
		blank = 0;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return buf;
}

/* Appends "field is value" for every field operand `o` reads. */
static const char *describe(rs_eval *r, const fl_operand *o, const fl_sevent *ev,
			    const char *acc, unsigned depth)
{
	fl_arena *a = r->s->arena;
	if (!acc || !o || depth > 8)
		return acc;
	if (o->kind == FL_OPERAND_TRANSFORMER) {
		for (uint32_t i = 0; i < fl_operand_nitems(o); i++)
			acc = describe(r, fl_operand_item(o, i), ev, acc, depth + 1);
		return acc;
	}
	if (o->kind != FL_OPERAND_FIELD)
		return acc;
	const char *arg = arg_text(o);
	fl_value v = fl_eval_field(ev, o->text, arg);
	if (v.kind == FL_V_UNKNOWN && !arg && is_ancestor_field(o->text))
		return acc;
	const char *vs = fl_value_format(a, &v);
	if (!vs)
		return NULL;
	return arg
		? fl_arena_printf(a, "%s%s%s[%s] is %s", acc, *acc ? ", " : "", o->text, arg, vs)
		: fl_arena_printf(a, "%s%s%s is %s", acc, *acc ? ", " : "", o->text, vs);
}

/* Records why clause `e` (a check, or `not` of one) has value `tv`. */
static void add_why(rs_eval *r, whys *out, const fl_text *t, const fl_expr *e,
		    const fl_sevent *ev, fl_tv tv)
{
	fl_arena *a = r->s->arena;
	why w;
	const char *text = clause_text(r, t, e, &w.span);
	const fl_expr *c = e->kind == FL_EXPR_NOT ? e->u.child : e;
	const char *d = "";
	int empty = 0;
	if (c->kind == FL_EXPR_CHECK) {
		d = describe(r, c->u.check.lhs, ev, d, 0);
		const fl_operand *rhs = c->u.check.rhs;
		if (rhs && rhs->kind != FL_OPERAND_LIST)
			d = describe(r, rhs, ev, d, 0);
		empty = rhs && rhs->kind == FL_OPERAND_LIST && fl_operand_nitems(rhs) == 0;
	}
	if (!text || !d) {
		r->oom = 1;
		return;
	}
	w.msg = fl_arena_printf(a, "`%s` is %s%s%s%s", text, fl_tv_name(tv), *d ? ": " : "",
				d, empty ? (*d ? " and the list is empty" : ": the list is empty") : "");
	if (!w.msg || FL_VEC_PUSH(a, *out, w))
		r->oom = 1;
}

/* Why `e`, false for the event, is false: its false checks. */
static void explain_false(rs_eval *r, const fl_expr *e, const fl_text *t,
			  const fl_sevent *ev, whys *out, unsigned depth)
{
	if (r->oom || depth > MAX_WALK_DEPTH || out->n >= MAX_NOTES || !spend(r))
		return;
	switch (e->kind) {
	case FL_EXPR_OR:
		for (uint32_t i = 0; i < e->u.kids.n; i++)
			explain_false(r, e->u.kids.v[i], t, ev, out, depth + 1);
		return;
	case FL_EXPR_AND:
		for (uint32_t i = 0; i < e->u.kids.n; i++)
			if (sub(r, e->u.kids.v[i], ev) == FL_FALSE) {
				explain_false(r, e->u.kids.v[i], t, ev, out, depth + 1);
				return;
			}
		return;
	case FL_EXPR_MACRO: {
		const fl_text *mt = NULL;
		const fl_expr *b = macro_body(r, e, &mt);
		if (b)
			explain_false(r, b, mt, ev, out, depth + 1);
		return;
	}
	case FL_EXPR_NOT:
	case FL_EXPR_CHECK:
		add_why(r, out, t, e, ev, FL_FALSE);
		return;
	default:
		return;
	}
}

/* For a condition true on the event: why each of its exemptions (`not X`
 * conjuncts, through macros) did not exempt it. */
static void walk_true(rs_eval *r, const fl_expr *e, const fl_text *t,
		      const fl_sevent *ev, whys *out, unsigned depth)
{
	if (r->oom || depth > MAX_WALK_DEPTH || out->n >= MAX_NOTES || !spend(r))
		return;
	switch (e->kind) {
	case FL_EXPR_AND:
		for (uint32_t i = 0; i < e->u.kids.n; i++)
			walk_true(r, e->u.kids.v[i], t, ev, out, depth + 1);
		return;
	case FL_EXPR_MACRO: {
		const fl_text *mt = NULL;
		const fl_expr *b = macro_body(r, e, &mt);
		if (b)
			walk_true(r, b, mt, ev, out, depth + 1);
		return;
	}
	case FL_EXPR_NOT:
		explain_false(r, e->u.child, t, ev, out, depth + 1);
		return;
	default:
		return;
	}
}

/* Flattens `e` over `kind` (AND or OR), through macros, into *out. */
static void flatten(rs_eval *r, const fl_expr *e, const fl_text *t,
		    fl_expr_kind kind, cparts *out, unsigned depth)
{
	if (r->oom || out->n >= MAX_CLAUSES)
		return;
	if (!spend(r))
		return; /* the caller sees the budget spent: too large to judge */
	if (depth <= MAX_WALK_DEPTH && e->kind == kind) {
		for (uint32_t i = 0; i < e->u.kids.n; i++)
			flatten(r, e->u.kids.v[i], t, kind, out, depth + 1);
		return;
	}
	if (depth <= MAX_WALK_DEPTH && e->kind == FL_EXPR_MACRO) {
		const fl_text *mt = NULL;
		const fl_expr *b = macro_body(r, e, &mt);
		if (b) {
			flatten(r, b, mt, kind, out, depth + 1);
			return;
		}
	}
	if (FL_VEC_PUSH(r->s->arena, *out, ((cpart){e, t})))
		r->oom = 1;
}

/* Fields whose value the monitored process chooses: its name (comm, set
 * with prctl), its argv[0], its arguments and environment — and the same
 * of its ancestors. */
static int attacker_field(const char *name)
{
	static const char *const f[] = {
		"proc.name", "proc.pname", "proc.aname", "proc.sname", "proc.vpgid.name",
		"proc.exe", "proc.pexe", "proc.aexe", "proc.cmdline", "proc.pcmdline",
		"proc.acmdline", "proc.args", "proc.exeline", "proc.env", "proc.aenv",
		"thread.comm",
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (!strcmp(name, f[i]))
			return 1;
	return 0;
}

/* Collects the fields operand `o` reads; *other set when one is not
 * attacker-controlled. */
static const char *operand_fields(rs_eval *r, const fl_operand *o, const char *acc,
				  int *other, unsigned depth)
{
	if (!acc || !o || depth > 8)
		return acc;
	if (o->kind == FL_OPERAND_TRANSFORMER) {
		for (uint32_t i = 0; i < fl_operand_nitems(o); i++)
			acc = operand_fields(r, fl_operand_item(o, i), acc, other, depth + 1);
		return acc;
	}
	if (o->kind != FL_OPERAND_FIELD)
		return acc;
	if (!attacker_field(o->text)) {
		*other = 1;
		return acc;
	}
	char q[96];
	snprintf(q, sizeof q, "'%.80s'", o->text);
	if (strstr(acc, q))
		return acc;
	return fl_arena_printf(r->s->arena, "%s%s%s", acc, *acc ? ", " : "", q);
}

/* The fields clause `e` reads, when all of them are attacker-controlled;
 * NULL otherwise (or on OOM, r->oom set). */
static const char *attacker_only(rs_eval *r, const fl_expr *e, const fl_text *t)
{
	cparts leaves = {0};
	/* and/or/not of checks, through macros */
	cparts stack = {0};
	if (FL_VEC_PUSH(r->s->arena, stack, ((cpart){e, t}))) {
		r->oom = 1;
		return NULL;
	}
	size_t steps = 0;
	while (stack.n && steps++ < MAX_CLAUSES) {
		cpart p = stack.v[--stack.n];
		const fl_expr *x = p.e;
		int rc = 0;
		if (x->kind == FL_EXPR_AND || x->kind == FL_EXPR_OR) {
			for (uint32_t i = 0; i < x->u.kids.n && !rc; i++)
				rc = FL_VEC_PUSH(r->s->arena, stack, ((cpart){x->u.kids.v[i], p.t}));
		} else if (x->kind == FL_EXPR_NOT) {
			rc = FL_VEC_PUSH(r->s->arena, stack, ((cpart){x->u.child, p.t}));
		} else if (x->kind == FL_EXPR_MACRO) {
			const fl_text *mt = NULL;
			const fl_expr *b = macro_body(r, x, &mt);
			if (!b)
				return NULL;
			rc = FL_VEC_PUSH(r->s->arena, stack, ((cpart){b, mt}));
		} else if (x->kind == FL_EXPR_CHECK) {
			rc = FL_VEC_PUSH(r->s->arena, leaves, p);
		} else {
			return NULL;
		}
		if (rc) {
			r->oom = 1;
			return NULL;
		}
	}
	if (stack.n || !leaves.n)
		return NULL; /* too large to judge */
	const char *acc = "";
	int other = 0;
	for (size_t i = 0; i < leaves.n && acc && !other; i++) {
		const fl_expr *c = leaves.v[i].e;
		acc = operand_fields(r, c->u.check.lhs, acc, &other, 0);
		if (c->u.check.rhs && c->u.check.rhs->kind == FL_OPERAND_TRANSFORMER)
			acc = operand_fields(r, c->u.check.rhs, acc, &other, 0);
	}
	if (!acc)
		r->oom = 1;
	return other || !acc || !*acc ? NULL : acc;
}

static int seen(rs_eval *r, int which, fl_span sp)
{
	spans *v = which == 503 ? &r->seen503 : &r->seen504;
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].src == sp.src && v->v[i].start == sp.start && v->v[i].end == sp.end)
			return 1;
	if (FL_VEC_PUSH(r->s->arena, *v, sp))
		r->oom = 1;
	return 0;
}

/* FL503: a clause that exempted benign event `ev` only through values the
 * process controls.  Afterwards evaluates on other events (the memo of
 * `ev` is then gone). */
static void report503(rs_eval *r, const fl_rule *rule, const fl_scenario *sc,
		      const fl_sevent *ev, const cpart *c, const char *fields)
{
	fl_span sp;
	const char *text = clause_text(r, c->t, c->e, &sp);
	if (!text) {
		r->oom = 1;
		return;
	}
	if (seen(r, 503, sp))
		return;
	fl_dg *g = fl_diag(&r->s->diags, FL503, sp,
			   "exemption `%s` of rule '%s' matches benign scenario '%s' "
			   "(variant '%s') only through %s, which the process controls",
			   text, rule->c.name, sc->name, ev->name, fields);
	if (!g) {
		r->oom = 1;
		return;
	}
	fl_diag_item(g, "rule", rule->c.name);
	g->scenario = sc->name;
	g->variant = ev->name;
	/* the proof: a malicious event the same clause silences */
	for (size_t j = 0; j < r->scs->list.n; j++) {
		const fl_scenario *m = r->scs->list.v[j];
		if (m->kind != FL_SCEN_MALICIOUS || strcmp(m->source, sc->source))
			continue;
		for (uint32_t k = 0; k < m->nevents; k++) {
			if (!fl_sevent_has_driver(&m->events[k], r->drv) ||
			    fl_eval(&r->env, c->e, &m->events[k]) != FL_TRUE)
				continue;
			fl_diag_note(&r->s->diags, g, FL_NOSPAN,
				     "it also exempts malicious scenario '%s' (variant '%s')",
				     m->name, m->events[k].name);
			return;
		}
	}
}

/* FL504, wrong field: the check's value is what another field of the
 * benign event reports.  Returns that field's key or NULL. */
static const char *value_elsewhere(rs_eval *r, const fl_expr *c, const fl_sevent *ev)
{
	const fl_operand *lhs = c->u.check.lhs;
	if (lhs->kind != FL_OPERAND_FIELD || !c->u.check.rhs ||
	    (c->u.check.rhs->kind != FL_OPERAND_VALUE && c->u.check.rhs->kind != FL_OPERAND_LIST &&
	     c->u.check.rhs->kind != FL_OPERAND_IDENT))
		return NULL;
	for (uint32_t i = 0; i < ev->nfields; i++) {
		const fl_sfield *f = &ev->fields[i];
		if (!strcmp(f->name, lhs->text) || f->value.kind != FL_V_STR)
			continue;
		fl_operand one = *lhs, arg;
		fl_operand_parts parts;
		one.text = f->name;
		one.len = (uint32_t)strlen(f->name);
		set_arg(&one, f->arg, &parts, &arg);
		fl_expr x = *c;
		x.u.check.lhs = &one;
		int err = r->env.error;
		fl_tv t = eval_check_once(&r->env, &x, ev);
		r->env.error = err;
		if (t == FL_TRUE)
			return f->key;
	}
	return NULL;
}

static void report504(rs_eval *r, const fl_rule *rule, const fl_scenario *sc,
		      const fl_sevent *ev, const cpart *c, const char *other,
		      const fl_sevent *matched)
{
	fl_span sp;
	const char *text = clause_text(r, c->t, c->e, &sp);
	const char *d = text ? describe(r, c->e->u.check.lhs, ev, "", 0) : NULL;
	if (!text || !d) {
		r->oom = 1;
		return;
	}
	if (seen(r, 504, sp))
		return;
	fl_dg *g = other
		? fl_diag(&r->s->diags, FL504, sp,
			  "exemption `%s` of rule '%s' never matches benign scenario '%s': "
			  "%s there, and the value it expects is what '%s' reports",
			  text, rule->c.name, sc->name, d, other)
		: fl_diag(&r->s->diags, FL504, sp,
			  "exemption `%s` of rule '%s' misses variant '%s' of benign scenario "
			  "'%s' (it matches '%s'): %s",
			  text, rule->c.name, ev->name, sc->name, matched->name, d);
	if (!g) {
		r->oom = 1;
		return;
	}
	fl_diag_item(g, "rule", rule->c.name);
	g->scenario = sc->name;
	g->variant = ev->name;
}

/* FL503/FL504 for a rule whose non-exemption conjuncts all hold on benign
 * event `ev` (the rule is about this behaviour): judges the clauses of
 * each exemption.  fl_eval(cond, ev) must be the last evaluation. */
static void judge_exemptions(rs_eval *r, const fl_rule *rule, const fl_expr *cond,
			     const fl_text *t, const fl_scenario *sc, const fl_sevent *ev)
{
	if (r->conj_of != cond || r->conj_text != t) {
		r->conj.n = 0;
		flatten(r, cond, t, FL_EXPR_AND, &r->conj, 0);
		if (r->oom)
			return;
		r->conj_of = cond;
		r->conj_text = t;
		r->conj_budget = r->budget;
	}
	r->budget = r->conj_budget;
	const cparts conj = r->conj;
	cparts *cl = &r->cl;
	if (conj.n >= MAX_CLAUSES || !r->budget)
		return;
	for (size_t i = 0; i < conj.n; i++)
		if (conj.v[i].e->kind != FL_EXPR_NOT && sub(r, conj.v[i].e, ev) != FL_TRUE)
			return;
	/* clauses first, judged on this event; other events only after */
	typedef struct verdict {
		cpart c;
		const char *fields;   /* FL503 */
		const char *other;    /* FL504 wrong field */
		int miss;             /* FL504 candidate: false here */
	} verdict;
	FL_VEC(verdict) vs = {0};
	for (size_t i = 0; i < conj.n && !r->oom; i++) {
		if (conj.v[i].e->kind != FL_EXPR_NOT)
			continue;
		cl->n = 0;
		flatten(r, conj.v[i].e->u.child, conj.v[i].t, FL_EXPR_OR, cl, 0);
		if (!r->budget)
			return;
		for (size_t k = 0; k < cl->n && !r->oom; k++) {
			verdict v = {cl->v[k], NULL, NULL, 0};
			fl_tv tv = sub(r, v.c.e, ev);
			if (tv == FL_TRUE)
				v.fields = attacker_only(r, v.c.e, v.c.t);
			else if (tv == FL_FALSE && v.c.e->kind == FL_EXPR_CHECK) {
				v.other = value_elsewhere(r, v.c.e, ev);
				v.miss = !v.other;
			}
			if ((v.fields || v.other || v.miss) && FL_VEC_PUSH(r->s->arena, vs, v))
				r->oom = 1;
		}
	}
	for (size_t i = 0; i < vs.n && !r->oom; i++) {
		const verdict *v = &vs.v[i];
		if (v->fields)
			report503(r, rule, sc, ev, &v->c, v->fields);
		else if (v->other) {
			/* "never": false on every selected variant */
			int any = 0;
			for (uint32_t k = 0; k < sc->nevents && !any; k++)
				any = fl_sevent_has_driver(&sc->events[k], r->drv) &&
				      fl_eval(&r->env, v->c.e, &sc->events[k]) == FL_TRUE;
			if (!any)
				report504(r, rule, sc, ev, &v->c, v->other, NULL);
		}
		else
			for (uint32_t k = 0; k < sc->nevents; k++) {
				const fl_sevent *o = &sc->events[k];
				if (o == ev || !fl_sevent_has_driver(o, r->drv))
					continue;
				if (fl_eval(&r->env, v->c.e, o) == FL_TRUE) {
					report504(r, rule, sc, ev, &v->c, NULL, o);
					break;
				}
			}
	}
}

static const char *join_names(fl_arena *a, const char *acc, const char *name)
{
	return acc ? fl_arena_printf(a, "%s, '%s'", acc, name) : fl_arena_printf(a, "'%s'", name);
}

/* A rule defined in a context file (-r) is not reported on, but the files
 * being checked may change what it matches: an override of the rule, or of
 * a macro or list its condition uses.  Then a finding on it belongs to the
 * checked files.  Returns the latest such contribution (its item), or a
 * span with src UINT32_MAX when the checked files do not touch the rule. */
static int from_checked(const fl_session *s, fl_span sp)
{
	return sp.src < s->sources.n && !s->sources.v[sp.src]->context;
}

static void latest_checked(const fl_session *s, const fl_item_common *c, fl_span *best)
{
	for (size_t i = 0; i < c->contribs.n; i++) {
		fl_span sp = c->contribs.v[i].span;
		if (from_checked(s, sp) &&
		    (best->src == UINT32_MAX || sp.src > best->src ||
		     (sp.src == best->src && sp.start > best->start)))
			*best = sp;
	}
}

static void lists_checked(const fl_session *s, const uint32_t *used, size_t n,
			  fl_span *best)
{
	const fl_ruleset *rs = s->rs;
	for (size_t i = 0; i < n; i++)
		if (used[i] < rs->lists.n)
			latest_checked(s, &rs->lists.v[used[i]]->c, best);
}

static fl_span checked_touch(const fl_session *s, const fl_rule *rule)
{
	fl_span best = {UINT32_MAX, 0, 0};
	latest_checked(s, &rule->c, &best);
	const fl_crule *cr = rule->compiled;
	if (!cr)
		return best;
	lists_checked(s, cr->lists_used, cr->nlists_used, &best);
	/* macros reachable from the condition, each visited once */
	FL_VEC(const fl_cmacro *) todo = {0}, seen = {0};
	for (size_t i = 0; i < cr->refs.n; i++)
		if (FL_VEC_PUSH(s->arena, todo, cr->refs.v[i]))
			return best;
	while (todo.n) {
		const fl_cmacro *cm = todo.v[--todo.n];
		int dup = 0;
		for (size_t i = 0; i < seen.n && !dup; i++)
			dup = seen.v[i] == cm;
		if (dup || FL_VEC_PUSH(s->arena, seen, cm))
			continue;
		latest_checked(s, &cm->m->c, &best);
		lists_checked(s, cm->lists_used, cm->nlists_used, &best);
		for (size_t i = 0; i < cm->refs.n; i++)
			if (FL_VEC_PUSH(s->arena, todo, cm->refs.v[i]))
				return best;
	}
	return best;
}

/* The span of a rule's condition text itself (not the `>` indicator of a
 * block scalar): from its first byte to the end of that line. */
static fl_span cond_span(const fl_rule *rule)
{
	const fl_text *t = &rule->cond_def.text;
	if (!t->runs || t->len == 0)
		return rule->cond_def.span;
	uint32_t end = 0;
	while (end < t->len && t->s[end] != '\n')
		end++;
	fl_span sp = fl_text_span(t, 0, end);
	return sp.src == UINT32_MAX ? rule->cond_def.span : sp;
}

/* FL501 for the events of one benign scenario a rule fires on, one
 * diagnostic per set of clauses that failed to exempt them (the BPF and
 * kmod renderings of an event usually share one); a clause whose values
 * differ between the variants gets one note per variant. */
typedef struct firing {
	const fl_sevent *ev;
	whys w;
	const char *key;  /* the spans of w */
	int done;
} firing;

static int report501(rs_eval *r, const fl_rule *rule, const fl_scenario *sc,
		     firing *f, size_t n)
{
	fl_arena *a = r->s->arena;
	size_t *grp = fl_arena_alloc(a, (n + 1) * sizeof(*grp));
	if (!grp)
		return FL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (f[i].done)
			continue;
		const char *quoted = NULL, *plain = NULL;
		size_t count = 0;
		for (size_t j = i; j < n; j++) {
			if (f[j].done || strcmp(f[j].key, f[i].key))
				continue;
			f[j].done = 1;
			grp[count++] = j;
			quoted = join_names(a, quoted, f[j].ev->name);
			plain = plain ? fl_arena_printf(a, "%s, %s", plain, f[j].ev->name)
				      : f[j].ev->name;
			if (!quoted || !plain)
				return FL_ENOMEM;
		}
		fl_span at = cond_span(rule), touch = {UINT32_MAX, 0, 0};
		if (!from_checked(r->s, at) && (touch = checked_touch(r->s, rule)).src != UINT32_MAX)
			at = touch;
		fl_dg *g = fl_diag(&r->s->diags, FL501, at,
				   "rule '%s' fires on benign scenario '%s' (variant%s %s)",
				   rule->c.name, sc->name, count > 1 ? "s" : "", quoted);
		if (!g)
			return FL_ENOMEM;
		if (touch.src != UINT32_MAX)
			fl_diag_note(&r->s->diags, g, cond_span(rule),
				     "the rule is defined in a context file; its condition is here");
		fl_diag_item(g, "rule", rule->c.name);
		g->scenario = sc->name;
		g->variant = plain;
		for (size_t k = 0; k < f[i].w.n; k++) {
			int same = 1;
			for (size_t j = 1; j < count; j++)
				same &= !strcmp(f[grp[j]].w.v[k].msg, f[i].w.v[k].msg);
			for (size_t j = 0; j < (same ? 1 : count); j++) {
				const firing *x = &f[grp[j]];
				const char *msg = x->w.v[k].msg, *vars = NULL;
				size_t nv = 0, dup = 0;
				for (size_t q = 0; q < count && !dup; q++) {
					if (strcmp(f[grp[q]].w.v[k].msg, msg))
						continue;
					if (q < j)
						dup = 1;
					else if (!(vars = join_names(a, vars, f[grp[q]].ev->name)))
						return FL_ENOMEM;
					nv++;
				}
				if (dup)
					continue;
				if (same)
					fl_diag_note(&r->s->diags, g, x->w.v[k].span, "%s", msg);
				else
					fl_diag_note(&r->s->diags, g, x->w.v[k].span, "%s (variant%s %s)",
						     msg, nv > 1 ? "s" : "", vars);
			}
		}
		if (!f[i].w.n)
			fl_diag_note(&r->s->diags, g, FL_NOSPAN,
				     "no exemption ('and not ...') of the condition applies");
		if (sc->summary)
			fl_diag_help(&r->s->diags, g, "%s", sc->summary);
	}
	return 0;
}

/* Evaluates one rule on every selected event of scenario `sc`. */
static int eval_rule(rs_eval *r, const fl_rule *rule, const fl_expr *cond,
		     const fl_text *text, int exc, const fl_scenario *sc,
		     const fl_evtset *evts, res_acc *acc)
{
	fl_arena *a = r->s->arena;
	const char *maybe = NULL;
	int benign = sc->kind == FL_SCEN_BENIGN;
	FL_VEC(firing) fired = {0};
	for (uint32_t i = 0; i < sc->nevents; i++) {
		const fl_sevent *ev = &sc->events[i];
		if (!fl_sevent_has_driver(ev, r->drv))
			continue;
		/* An event of a type the rule's evt.type checks exclude: Falco
		 * does not run the rule on it (it indexes rules by these
		 * types; a syscall without events of its own goes by the
		 * generic pair it shares, which `evt.type != acct` removes). */
		if (evts && ev->evt_type && !fl_evtset_has(evts, (size_t)ev->evt_type - 1))
			continue;
		fl_tv t = fl_eval(&r->env, cond, ev);
		/* Exceptions left out of `cond` may exempt the event. */
		if (exc && t == FL_TRUE)
			t = FL_UNKNOWN;
		if (acc && t != FL_FALSE &&
		    FL_VEC_PUSH(a, *(t == FL_TRUE ? &acc[i].fires : &acc[i].may), rule->c.name))
			return FL_ENOMEM;
		if (!benign)
			continue;
		if (t == FL_TRUE) {
			firing f = {ev, {0}, "", 0};
			r->budget = WALK_BUDGET;
			walk_true(r, cond, text, ev, &f.w, 0);
			for (size_t k = 0; k < f.w.n && f.key; k++)
				f.key = fl_arena_printf(a, "%s %u:%u:%u", f.key, f.w.v[k].span.src,
							f.w.v[k].span.start, f.w.v[k].span.end);
			if (r->oom || !f.key || FL_VEC_PUSH(a, fired, f))
				return FL_ENOMEM;
		} else if (t == FL_UNKNOWN) {
			maybe = maybe ? fl_arena_printf(a, "%s, %s", maybe, ev->name) : ev->name;
			if (!maybe)
				return FL_ENOMEM;
		}
		if (t != FL_UNKNOWN) {
			r->budget = WALK_BUDGET;
			judge_exemptions(r, rule, cond, text, sc, ev);
			if (r->oom)
				return FL_ENOMEM;
		}
	}
	if (fired.n)
		return report501(r, rule, sc, fired.v, fired.n);
	if (maybe && r->s->opt.show_uncertain) {
		fl_dg *g = fl_diag(&r->s->diags, FL502, cond_span(rule),
				   "rule '%s' may fire on benign scenario '%s' (%s): it depends on "
				   "fields the scenario does not give%s",
				   rule->c.name, sc->name, maybe, exc ? " or on exceptions" : "");
		if (!g)
			return FL_ENOMEM;
		fl_diag_item(g, "rule", rule->c.name);
		g->scenario = sc->name;
		g->variant = maybe;
	}
	return 0;
}

static int selected(const rs_eval *r, const fl_scenario *sc)
{
	return !r->scs->only || !strcmp(r->scs->only, sc->name);
}

/* Turns the accumulators into the public results. */
static int keep_results(rs_eval *r, res_acc *acc, size_t n)
{
	fl_eval_result *out = fl_arena_alloc(r->s->arena, (n + 1) * sizeof(*out));
	if (!out)
		return FL_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!acc[i].ev)
			continue;
		out[k].scenario = acc[i].sc->name;
		out[k].variant = acc[i].ev->name;
		out[k].kind = acc[i].sc->kind == FL_SCEN_BENIGN ? "benign" : "malicious";
		out[k].fires = acc[i].fires.v;
		out[k].nfires = acc[i].fires.n;
		out[k].may_fire = acc[i].may.v;
		out[k].nmay_fire = acc[i].may.n;
		k++;
	}
	r->scs->results = out;
	r->scs->nresults = k;
	return 0;
}

/* The scenario evaluation over the session's ruleset: every enabled rule
 * on every selected event of the scenarios of its source. */
struct fl_scen_run {
	rs_eval r;
	fl_scenarios *scs;
	/* one accumulator per (scenario, event), at acc[base[j] + event] */
	size_t *base;
	res_acc *acc;             /* NULL unless the results are kept */
	size_t nacc;
};

int fl_scenarios_begin(fl_session *s, fl_scen_run **out)
{
	*out = NULL;
	int rc = fl_session_load_scenarios(s);
	if (rc)
		return rc;
	fl_scen_run *run = fl_arena_alloc(s->arena, sizeof *run);
	if (!run)
		return FL_ENOMEM;
	fl_scenarios *scs = fl_session_scenarios(s);
	run->scs = scs;
	run->r = (rs_eval){.s = s, .rs = s->rs, .scs = scs, .drv = driver_of(s)};
	rs_eval *r = &run->r;
	size_t nacc = 0;
	size_t *base = fl_arena_alloc(s->arena, (scs->list.n + 1) * sizeof(*base));
	if (!base)
		return FL_ENOMEM;
	for (size_t j = 0; j < scs->list.n; j++) {
		base[j] = nacc;
		nacc += scs->list.v[j]->nevents;
	}
	run->base = base;
	run->nacc = nacc;
	if (scs->keep_eval) {
		res_acc *acc = fl_arena_alloc(s->arena, (nacc + 1) * sizeof(*acc));
		if (!acc)
			return FL_ENOMEM;
		for (size_t j = 0; j < scs->list.n; j++) {
			const fl_scenario *sc = scs->list.v[j];
			for (uint32_t k = 0; k < sc->nevents && selected(r, sc); k++)
				if (fl_sevent_has_driver(&sc->events[k], r->drv)) {
					acc[base[j] + k].sc = sc;
					acc[base[j] + k].ev = &sc->events[k];
				}
		}
		run->acc = acc;
	}
	if (s->rs && (rc = begin(r))) {
		fl_rseval_free(r);
		return rc;
	}
	*out = run;
	return 0;
}

/* rule_cond() with the compile stage's final tree given (`ast` of `text`,
 * in arena `a`, which the caller resets after the rule): parsed here only
 * for a rule the compile stage did not reach. */
static const fl_expr *given_cond(rs_eval *r, const fl_rule *rule, const fl_text *text,
				 const fl_expr *ast, fl_arena *a, int *exc, int *oom)
{
	const fl_crule *cr = rule->compiled;
	if (!cr)
		return rule_cond(r, rule, &r->rule_text, exc, oom);
	if (r->rule)
		fl_evalenv_forget(&r->env);  /* a rule rule_cond() parsed */
	r->conj_of = NULL;
	r->rule = rule;
	r->rule_exc = *exc = 0;
	r->rule_text = *text;
	r->env.own_arena = a;
	r->rule_cond = rule->source_unknown || !cr->ok || cr->dropped ? NULL : ast;
	return r->rule_cond;
}

int fl_scenarios_rule(fl_scen_run *run, const fl_rule *rule, const fl_text *text,
		      const fl_expr *ast, const fl_evtset *evts, fl_arena *a)
{
	if (!run || !run->r.rs || !rule->enabled)
		return 0;
	rs_eval *r = &run->r;
	fl_scenarios *scs = run->scs;
	const char *rsrc = rule->source ? rule->source : "syscall";
	const fl_expr *cond = NULL;
	int exc = 0, rc = 0;
	for (size_t j = 0; j < scs->list.n && !rc; j++) {
		const fl_scenario *sc = scs->list.v[j];
		if (strcmp(sc->source, rsrc) || !selected(r, sc) ||
		    (sc->kind != FL_SCEN_BENIGN && !run->acc))
			continue;
		if (!cond) {
			/* set up only for a rule some scenario is run on */
			int oom = 0;
			cond = given_cond(r, rule, text, ast, a, &exc, &oom);
			if (oom)
				rc = FL_ENOMEM;
			if (!cond)
				break;
			r->env.source = rule->source;
		}
		rc = eval_rule(r, rule, cond, &r->rule_text, exc, sc, evts,
			       run->acc ? run->acc + run->base[j] : NULL);
	}
	if (r->rule && r->env.own_arena == a) {
		/* the caller resets `a` with the tree: nothing kept may
		 * point into it */
		fl_evalenv_forget(&r->env);
		r->env.own_arena = NULL;
		r->conj_of = NULL;
		r->rule = NULL;
	}
	return rc;
}

int fl_scenarios_end(fl_scen_run *run)
{
	if (!run)
		return 0;
	int rc = run->acc ? keep_results(&run->r, run->acc, run->nacc) : 0;
	fl_rseval_free(&run->r);
	return rc;
}

size_t fl_session_neval(const fl_session *s)
{
	return s->scen ? s->scen->nresults : 0;
}

const fl_eval_result *fl_session_eval_at(const fl_session *s, size_t i)
{
	return s->scen && i < s->scen->nresults ? &s->scen->results[i] : NULL;
}
