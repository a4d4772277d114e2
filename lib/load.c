/* load.c — Falco's rule loader, stage 1: the reader walks the items of one
 * file's YAML documents (rule_loader_reader.cpp) and the collector applies
 * them to the cumulative ruleset (rule_loader_collector.cpp), with Falco's
 * check order, messages mapped to FL codes, and spans on the exact key or
 * value.  Unlike Falco it goes on after a broken item (the item is skipped
 * whole), so one run shows every problem of a file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "falcolint.h"
#include "hash.h"
#include "fields.h"
#include "ruleset.h"
#include "session.h"

/* Helpers return 0 (ok), BAD (a diagnostic was raised; skip the item) or a
 * negative FL_E*. */
#define BAD 1
#define TRY(x)                           \
	do {                             \
		int rc_ = (x);           \
		if (rc_)                 \
			return rc_;      \
	} while (0)

/* Nesting bound for exception fields/comps/values (real files use 2). */
#define MAX_EXC_DEPTH 64
/* What fl_exception's nvalues can count; past it (gigabytes of values)
 * loading fails as out of memory. */
#define EXC_MAX_VALUES ((1u << 31) - 1)

typedef struct keyref {
	const fl_ynode *k;
	uint32_t i;
} keyref;

/* A temporary name → index map (exception names of one rule and entry):
 * keeps hostile rules with thousands of exceptions linear. */
typedef struct nmap {
	const char **name;
	uint32_t *idx;
	uint32_t cap;
} nmap;

/* An exception entry as read from one item. */
typedef struct rexc {
	const fl_ynode *map;
	const char *name;
	fl_span name_span;
	const fl_ynode *fields, *comps, *values;  /* values: the sequence or NULL */
	int fields_valid, comps_valid;
} rexc;

typedef FL_VEC(rexc) rexcs;

struct fl_loader {
	fl_session *s;
	fl_version target;    /* target Falco release, for field lookups */
	fl_ruleset *rs;
	fl_arena *a;
	const fl_source *src;
	size_t file;          /* index in rs->files */
	int oom;
	/* Scratch space reused from item to item: what an item needs only
	 * while it is read would otherwise stay dead in the arena (about
	 * 100 bytes per item and per exception). */
	keyref *keys;         /* check_keys */
	uint32_t keys_cap;
	nmap names;           /* nmap_init: one map in use at a time */
	uint32_t names_cap;
	rexcs exc[2];         /* entries read: [0] definition/append, [1] replace */
	FL_VEC(fl_rule *) tagged;  /* rules given tags: sorted at the end */
	/* Exception nodes outlive the file's tree (the compiler reads them
	 * after every later file too): they are packed into the session
	 * arena, through one memo per file. */
	fl_ycopy ycopy;
};
typedef fl_loader rd;

/* The item being read: for messages and spans. */
typedef struct item {
	const fl_ynode *map;
	const char *kind;     /* "list", "macro", "rule", … or NULL */
	const char *name;     /* NULL until the name is decoded */
} item;

/* ---- diagnostics ------------------------------------------------------ */

static fl_span first_key(const fl_ynode *map)
{
	if (map->kind == FL_Y_MAP && map->n)
		return FL_YKEY(map, 0)->span;
	return map->span;
}

__attribute__((format(printf, 5, 0)))
static fl_dg *vraise(rd *r, const item *it, fl_code code, fl_span sp,
		     const char *fmt, va_list ap)
{
	fl_dg *g = fl_vdiag(&r->s->diags, code, sp, fmt, ap);
	if (!g) {
		r->oom = 1;
		return NULL;
	}
	if (it && it->kind) {
		/* the name is the item's YAML scalar, gone with its tree */
		const char *name = it->name ? fl_arena_strdup(r->a, it->name) : NULL;
		if (it->name && !name)
			r->oom = 1;
		fl_diag_item(g, it->kind, name);
	}
	if (fl_checks[code].severity == FL_SEV_ERROR) {
		fl_rs_file *f = &r->rs->files.v[r->file];
		if (!f->read_failed)
			f->first_error = (int)code;
		f->read_failed = 1;
	}
	return g;
}

static fl_dg *raise(rd *r, const item *it, fl_code code, fl_span sp,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static fl_dg *raise(rd *r, const item *it, fl_code code, fl_span sp,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fl_dg *g = vraise(r, it, code, sp, fmt, ap);
	va_end(ap);
	return g;
}

/* Raises an error and yields BAD for `return err(...)`. */
static int err(rd *r, const item *it, fl_code code, fl_span sp,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int err(rd *r, const item *it, fl_code code, fl_span sp,
	       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vraise(r, it, code, sp, fmt, ap);
	va_end(ap);
	return r->oom ? FL_ENOMEM : BAD;
}

static void note(rd *r, fl_dg *g, fl_span sp, const char *msg)
{
	if (g)
		fl_diag_note(&r->s->diags, g, sp, "%s", msg);
}

/* ---- scalar decoding (spec §2.1) ---------------------------------------- */

/* Looks `key` up in the item.  Required and absent → missing-key at the
 * item's first key (where Falco points).  Null → null-value at the key.
 * Sequence/map → value-not-scalar; "" → empty-value (unless allow_empty).
 * *out is NULL when the key is absent (optional). */
static int get_scalar(rd *r, const item *it, const fl_ynode *map, const char *key,
		      int required, fl_ynode **out, fl_ynode **keyp)
{
	fl_ynode *k = NULL;
	fl_ynode *v = fl_ymap_get(map, key, &k);
	*out = NULL;
	if (keyp)
		*keyp = k;
	if (!v) {
		if (!required)
			return 0;
		return err(r, it, FL006, first_key(map), "missing key '%s'", key);
	}
	if (v->kind == FL_Y_SCALAR && v->is_null)
		return err(r, it, FL007, k->span, "key '%s' has a null value", key);
	if (v->kind != FL_Y_SCALAR)
		return err(r, it, FL008, v->span, "value of '%s' is not a scalar", key);
	if (v->len == 0)
		return err(r, it, FL009, v->span, "value of '%s' is an empty string", key);
	*out = v;
	return 0;
}

/* yaml-cpp's bool spellings: y/n, yes/no, true/false, on/off in lowercase,
 * UPPERCASE or Capitalized form. */
static int parse_bool(const char *s, int *out)
{
	static const char *const t[] = {"y", "yes", "true", "on"};
	static const char *const f[] = {"n", "no", "false", "off"};
	for (int pass = 0; pass < 2; pass++) {
		const char *const *set = pass ? f : t;
		for (int i = 0; i < 4; i++) {
			const char *w = set[i];
			size_t n = strlen(w);
			if (strlen(s) != n)
				continue;
			int lower = 1, upper = 1, cap = 1;
			for (size_t j = 0; j < n; j++) {
				char up = (char)(w[j] - 'a' + 'A');
				if (s[j] != w[j])
					lower = 0;
				if (s[j] != up)
					upper = 0;
				if (s[j] != (j == 0 ? up : w[j]))
					cap = 0;
			}
			if (lower || upper || cap) {
				*out = !pass;
				return 0;
			}
		}
	}
	return -1;
}

/* yaml-cpp's unsigned conversion: a C++ stream with base detection — an
 * optional '+', then 0x hex, leading-0 octal or decimal; trailing blanks
 * allowed; no '-', no overflow. */
static int parse_u32(const char *s, uint32_t *out)
{
	const char *p = s;
	unsigned base = 10;
	if (*p == '+')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0') {
		base = 8;
	}
	uint64_t v = 0;
	const char *d = p;
	for (;; p++) {
		unsigned dv;
		if (*p >= '0' && *p <= '9')
			dv = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			dv = (unsigned)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			dv = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (dv >= base)
			break;
		v = v * base + dv;
		if (v > UINT32_MAX)
			return -1;
	}
	if (p == d)
		return -1;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' ||
	       *p == '\v')
		p++;
	if (*p)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* sscanf("%u.%u.%u") == 3, as libsinsp's version parser: trailing text is
 * ignored. */
static int parse_semver(const char *s, unsigned v[3])
{
	const char *p = s;
	for (int i = 0; i < 3; i++) {
		if (i) {
			if (*p != '.')
				return -1;
			p++;
		}
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		       *p == '\f' || *p == '\v')
			p++;
		int neg = 0;
		if (*p == '+' || *p == '-')
			neg = *p++ == '-';
		if (*p < '0' || *p > '9')
			return -1;
		unsigned long long x = 0;
		while (*p >= '0' && *p <= '9') {
			if (x < (1ull << 40))
				x = x * 10 + (unsigned)(*p - '0');
			p++;
		}
		v[i] = (unsigned)(neg ? (unsigned)(0u - (unsigned)x) : (unsigned)x);
	}
	return 0;
}

static int get_bool(rd *r, const item *it, const fl_ynode *map, const char *key,
		    int required, int *present, int *out)
{
	fl_ynode *v;
	*present = 0;
	TRY(get_scalar(r, it, map, key, required, &v, NULL));
	if (!v)
		return 0;
	if (parse_bool(v->str, out))
		return err(r, it, FL010, v->span, "value of '%s' is not a boolean: '%s'",
			   key, v->str);
	*present = 1;
	return 0;
}

/* A sequence of scalars (items, tags).  Null is "not a sequence" too. */
static int get_seq(rd *r, const item *it, const fl_ynode *map, const char *key,
		   int required, fl_ynode **out)
{
	fl_ynode *v = fl_ymap_get(map, key, NULL);
	*out = NULL;
	if (!v) {
		if (!required)
			return 0;
		return err(r, it, FL006, first_key(map), "missing key '%s'", key);
	}
	if (v->kind != FL_Y_SEQ)
		return err(r, it, FL011, v->span, "value of '%s' is not a sequence", key);
	for (uint32_t i = 0; i < v->n; i++)
		if (v->kids[i]->kind != FL_Y_SCALAR)
			return err(r, it, FL012, v->kids[i]->span,
				   "element of '%s' is not a scalar", key);
	*out = v;
	return 0;
}

/* A copy of scalar n's value that outlives the file's tree. */
static const char *keep_str(rd *r, const fl_ynode *n)
{
	const char *c = fl_arena_strndup(r->a, n->str, n->len);
	if (!c)
		r->oom = 1;
	return c;
}

/* Scalar n's value as a text with its positions, kept past the file's
 * tree: when the value is the very bytes of the file (one linear run, as
 * for a one-line plain scalar), it points into the source instead of
 * being copied.  Texts are not NUL-terminated. */
static int scalar_text(rd *r, const fl_ynode *n, fl_text *t)
{
	int rc = fl_yscalar_text(r->a, r->src, n, t);
	if (rc == FL_ENOMEM)
		return rc;
	if (rc) {
		/* Fall back to the decoded bytes all mapped to the node start. */
		fl_run *run = fl_arena_alloc(r->a, sizeof(*run));
		if (!run)
			return FL_ENOMEM;
		*run = (fl_run){0, n->span.start, n->span.src & 0x7fffffffu, 0};
		t->runs = run;
		t->nruns = 1;
		t->len = n->len;
	}
	const fl_run *r0 = t->runs;
	if (t->nruns == 1 && r0->linear && r0->src == (r->src->id & 0x7fffffffu) &&
	    r0->off <= r->src->len && r->src->len - r0->off >= n->len &&
	    memcmp(r->src->data + r0->off, n->str, n->len) == 0) {
		t->s = r->src->data + r0->off;
		return 0;
	}
	if (!(t->s = keep_str(r, n)))
		return FL_ENOMEM;
	return 0;
}

/* ---- generic key checks ------------------------------------------------- */

static int is_merge_key(const fl_ynode *k)
{
	return k->kind == FL_Y_SCALAR && k->style == FL_YS_PLAIN && strcmp(k->str, "<<") == 0;
}

static int cmp_keyref(const void *pa, const void *pb)
{
	const keyref *a = pa, *b = pb;
	int c = strcmp(a->k->str, b->k->str);
	if (c)
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* 1 when two scalar keys of `map` are equal: the common answer, no, is
 * found without sorting on the small maps of rule files. */
static int has_dup_key(const fl_ynode *map)
{
	for (uint32_t i = 1; i < map->n; i++) {
		const fl_ynode *a = FL_YKEY(map, i);
		if (a->kind != FL_Y_SCALAR)
			continue;
		for (uint32_t j = 0; j < i; j++) {
			const fl_ynode *b = FL_YKEY(map, j);
			if (b->kind == FL_Y_SCALAR && a->str[0] == b->str[0] &&
			    strcmp(a->str, b->str) == 0)
				return 1;
		}
	}
	return 0;
}

/* Duplicate keys (Falco takes the first silently) and merge keys (Falco
 * does not merge).  Sorting keeps this O(n log n) on hostile maps. */
static int check_keys(rd *r, const item *it, const fl_ynode *map)
{
	if (map->kind != FL_Y_MAP || map->n < 1)
		return 0;
	for (uint32_t i = 0; i < map->n; i++)
		if (is_merge_key(FL_YKEY(map, i)))
			raise(r, it, FL024, FL_YKEY(map, i)->span,
			      "merge key '<<' is not supported: nothing is merged");
	if (map->n < 2 || (map->n <= 16 && !has_dup_key(map)))
		return r->oom ? FL_ENOMEM : 0;
	if (map->n > r->keys_cap) {
		uint32_t cap = map->n < 32 ? 32 : map->n;
		r->keys = fl_arena_alloc(r->a, sizeof(keyref) * cap);
		if (!r->keys)
			return FL_ENOMEM;
		r->keys_cap = cap;
	}
	keyref *ks = r->keys;
	uint32_t n = 0;
	for (uint32_t i = 0; i < map->n; i++)
		if (FL_YKEY(map, i)->kind == FL_Y_SCALAR)
			ks[n++] = (keyref){FL_YKEY(map, i), i};
	qsort(ks, n, sizeof(keyref), cmp_keyref);
	for (uint32_t i = 1; i < n; i++) {
		if (strcmp(ks[i].k->str, ks[i - 1].k->str) != 0)
			continue;
		uint32_t f = i - 1;
		while (f > 0 && strcmp(ks[f - 1].k->str, ks[i].k->str) == 0)
			f--;
		fl_dg *g = raise(r, it, FL023, ks[i].k->span,
				 "duplicate key '%s': only the first is used", ks[i].k->str);
		note(r, g, ks[f].k->span, "first occurrence here");
	}
	return r->oom ? FL_ENOMEM : 0;
}

/* LOAD_UNKNOWN_KEY: raised after the item succeeded, in key order. */
static int unknown_keys(rd *r, const item *it, const fl_ynode *map,
			const char *const *allowed, size_t nallowed)
{
	for (uint32_t i = 0; i < map->n; i++) {
		const fl_ynode *k = FL_YKEY(map, i);
		if (k->kind != FL_Y_SCALAR || is_merge_key(k))
			continue;
		size_t j;
		for (j = 0; j < nallowed; j++)
			if (strcmp(k->str, allowed[j]) == 0)
				break;
		if (j == nallowed)
			raise(r, it, FL022, k->span, "unknown key '%s' in %s is ignored",
			      k->str, it->kind ? it->kind : "item");
	}
	return r->oom ? FL_ENOMEM : 0;
}

/* ---- override: (spec §9) ------------------------------------------------ */

/* Rule keys, in the order Falco processes them for override entries. */
enum {
	K_CONDITION, K_EXCEPTIONS, K_OUTPUT, K_DESC, K_TAGS, K_PRIORITY,
	K_CAPTURE, K_CAPTURE_DURATION, K_ENABLED, K_WARN_EVTTYPES, K_SKIP, K_NKEYS
};
static const char *const rule_keys[K_NKEYS] = {
	"condition", "exceptions", "output", "desc", "tags", "priority",
	"capture", "capture_duration", "enabled", "warn_evttypes",
	"skip-if-unknown-filter",
};
#define RULE_APPENDABLE                                                     \
	((1u << K_CONDITION) | (1u << K_EXCEPTIONS) | (1u << K_OUTPUT) |   \
	 (1u << K_DESC) | (1u << K_TAGS))
#define RULE_REPLACEABLE ((1u << K_NKEYS) - 1)

static int key_index(const char *const *keys, int nkeys, const char *k)
{
	for (int i = 0; i < nkeys; i++)
		if (strcmp(keys[i], k) == 0)
			return i;
	return -1;
}

/* The key node `key` under the item's `override:` mapping (for spans). */
static fl_span override_key(const fl_ynode *map, const char *key)
{
	const fl_ynode *ov = fl_ymap_get(map, "override", NULL);
	fl_ynode *k = NULL;
	if (ov && fl_ymap_get(ov, key, &k))
		return k->span;
	return first_key(map);
}

/* 'append: true' together with a non-empty override: at 'override'. */
static int append_and_override(rd *r, const item *it)
{
	fl_ynode *ok = NULL, *ak = NULL;
	fl_ymap_get(it->map, "override", &ok);
	fl_ymap_get(it->map, "append", &ak);
	fl_dg *g = raise(r, it, FL016, ok ? ok->span : first_key(it->map),
			 "'append: true' cannot be combined with 'override'");
	if (ak)
		note(r, g, ak->span, "'append' given here");
	return r->oom ? FL_ENOMEM : BAD;
}

/* Parses `override:` into bit sets over keys[] (append, replace).  keys[]
 * holds every overridable key of the kind; `app`/`rep` say which may be
 * appended/replaced. */
static int read_overrides(rd *r, const item *it, const char *const *keys, int nkeys,
			  unsigned app, unsigned rep, unsigned *out_app, unsigned *out_rep)
{
	fl_ynode *k = NULL;
	const fl_ynode *ov = fl_ymap_get(it->map, "override", &k);
	*out_app = *out_rep = 0;
	if (!ov || (ov->kind == FL_Y_SCALAR && ov->is_null))
		return 0;
	if (ov->kind == FL_Y_SCALAR) {
		raise(r, it, FL020, ov->span,
		      "'override' is a scalar and is ignored (expected a mapping such as '{%s: append}')",
		      keys[0]);
		return r->oom ? FL_ENOMEM : 0;
	}
	if (ov->kind == FL_Y_SEQ) {
		/* yaml-cpp iterates an empty sequence without complaint. */
		if (ov->n == 0)
			return 0;
		return err(r, it, FL019, ov->span,
			   "'override' is a sequence (expected a mapping such as '{%s: append}')",
			   keys[0]);
	}
	TRY(check_keys(r, it, ov));
	for (uint32_t i = 0; i < ov->n; i++) {
		const fl_ynode *key = FL_YKEY(ov, i), *op = FL_YVAL(ov, i);
		if (key->kind != FL_Y_SCALAR)
			return err(r, it, FL019, key->span, "key under 'override' is not a scalar");
		if (op->kind != FL_Y_SCALAR)
			return err(r, it, FL019, op->span,
				   "operation for '%s' under 'override' is not a scalar", key->str);
		int ki = key_index(keys, nkeys, key->str);
		unsigned bit = ki >= 0 ? 1u << ki : 0;
		const char *o = op->is_null ? "" : op->str;
		if (strcmp(o, "append") == 0) {
			if (!(app & bit))
				return err(r, it, FL013, key->span,
					   "key '%s' cannot be appended to (use 'replace')", key->str);
			*out_app |= bit;
		} else if (strcmp(o, "replace") == 0) {
			if (!(rep & bit))
				return err(r, it, FL014, key->span, "key '%s' cannot be replaced",
					   key->str);
			*out_rep |= bit;
		} else {
			return err(r, it, FL015, op->span,
				   "invalid override operation '%s' for key '%s' (expected 'append' or 'replace')",
				   o, key->str);
		}
	}
	return 0;
}

/* ---- names ------------------------------------------------------------- */

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* [a-zA-Z]+[a-zA-Z0-9_]* — i.e. a letter first, then letters/digits/_. */
static int valid_macro_name(const char *s)
{
	if (!is_alpha(s[0]))
		return 0;
	for (const char *p = s + 1; *p; p++)
		if (!is_alpha(*p) && !(*p >= '0' && *p <= '9') && *p != '_')
			return 0;
	return 1;
}

/* [^()"'[:space:]=,]+ */
static int valid_list_name(const char *s, uint32_t len)
{
	if (!len)
		return 0;
	for (uint32_t i = 0; i < len; i++)
		if (strchr("()\"' \t\n\v\f\r=,", s[i]) || s[i] == '\0')
			return 0;
	return 1;
}

/* Decodes the name key: an empty item name until it is known, as Falco. */
static int read_name(rd *r, item *it, const char *key, fl_ynode **namep)
{
	TRY(get_scalar(r, it, it->map, key, 1, namep, NULL));
	it->name = (*namep)->str;
	return 0;
}

/* ---- lists and macros (spec §6, §7) ------------------------------------- */

static int contrib(rd *r, fl_item_common *c, fl_contrib_kind kind,
		   const item *it, const fl_ynode *name)
{
	return fl_ruleset_contrib(r->rs, c, kind, it->map->span, name->span);
}

static int read_list(rd *r, item *it)
{
	fl_ynode *name, *items;
	int append = 0, has;
	unsigned oa, orp;
	static const char *const keys[] = {"items"};
	static const char *const allowed[] = {"list", "items", "append", "override"};

	TRY(read_name(r, it, "list", &name));
	if (!valid_list_name(name->str, name->len))
		raise(r, it, FL107, name->span,
		      "invalid list name '%s' (blanks, quotes, parentheses, '=' and ',' break substitution)",
		      name->str);
	TRY(get_seq(r, it, it->map, "items", 1, &items));
	TRY(get_bool(r, it, it->map, "append", 0, &has, &append));
	if (has && append)
		raise(r, it, FL401, fl_ymap_get(it->map, "append", NULL)->span,
		      "'append: true' is deprecated (use 'override: {items: append}')");
	TRY(read_overrides(r, it, keys, 1, 1, 1, &oa, &orp));
	if (append && (oa | orp))
		return append_and_override(r, it);
	append |= (int)(oa & 1);

	fl_list *l = fl_ruleset_list(r->rs, name->str, name->len);
	if (append) {
		if (!l)
			return err(r, it, FL101, name->span, "append to undefined list '%s'",
				   name->str);
		TRY(contrib(r, &l->c, append && !oa ? FL_CONTRIB_APPEND : FL_CONTRIB_OVERRIDE_APPEND,
			    it, name));
	} else {
		int redefine = l != NULL;
		if (!l && !(l = fl_ruleset_add_list(r->rs, name->str, name->len)))
			return FL_ENOMEM;
		if (!redefine)
			l->c.order = r->rs->counter;
		l->items.n = 0;
		l->items.v = NULL;
		l->items.cap = 0;
		TRY(contrib(r, &l->c, redefine ? FL_CONTRIB_REDEFINE : FL_CONTRIB_DEFINE, it, name));
	}
	if (FL_VEC_RESERVE(r->a, l->items, items->n))
		return FL_ENOMEM;
	for (uint32_t i = 0; i < items->n; i++) {
		const fl_ynode *n = items->kids[i];
		fl_list_item li = {keep_str(r, n), n->len, n->span};
		if (!li.s)
			return FL_ENOMEM;
		if (FL_VEC_PUSH(r->a, l->items, li))
			return FL_ENOMEM;
	}
	l->c.visibility = r->rs->counter++;
	return unknown_keys(r, it, it->map, allowed, 4);
}

static int read_macro(rd *r, item *it)
{
	fl_ynode *name, *cond;
	int append = 0, has;
	unsigned oa, orp;
	static const char *const keys[] = {"condition"};
	static const char *const allowed[] = {"macro", "condition", "append", "override"};

	TRY(read_name(r, it, "macro", &name));
	if (!valid_macro_name(name->str))
		raise(r, it, FL106, name->span,
		      "invalid macro name '%s' (a condition can only refer to [a-zA-Z]+[a-zA-Z0-9_]*)",
		      name->str);
	TRY(get_scalar(r, it, it->map, "condition", 1, &cond, NULL));
	TRY(get_bool(r, it, it->map, "append", 0, &has, &append));
	if (has && append)
		raise(r, it, FL401, fl_ymap_get(it->map, "append", NULL)->span,
		      "'append: true' is deprecated (use 'override: {condition: append}')");
	TRY(read_overrides(r, it, keys, 1, 1, 1, &oa, &orp));
	if (append && (oa | orp))
		return append_and_override(r, it);
	append |= (int)(oa & 1);

	fl_cond_piece piece = {.span = cond->span, .item = it->map->span};
	TRY(scalar_text(r, cond, &piece.text));
	fl_macro *m = fl_ruleset_macro(r->rs, name->str, name->len);
	if (append) {
		if (!m)
			return err(r, it, FL101, name->span, "append to undefined macro '%s'",
				   name->str);
		TRY(contrib(r, &m->c, !oa ? FL_CONTRIB_APPEND : FL_CONTRIB_OVERRIDE_APPEND, it, name));
		if (FL_VEC_PUSH(r->a, m->appends, piece))
			return FL_ENOMEM;
		if (!m->cond_buf && !(m->cond_buf = fl_arena_alloc(r->a, sizeof(*m->cond_buf))))
			return FL_ENOMEM;
		m->cond_buf->a = r->a;
		TRY(fl_text_join(m->cond_buf, &m->cond, &piece.text, &m->cond));
	} else {
		int redefine = m != NULL;
		if (!m && !(m = fl_ruleset_add_macro(r->rs, name->str, name->len)))
			return FL_ENOMEM;
		if (!redefine)
			m->c.order = r->rs->counter;
		TRY(contrib(r, &m->c, redefine ? FL_CONTRIB_REDEFINE : FL_CONTRIB_DEFINE, it, name));
		m->def = piece;
		m->cond = piece.text;
		m->appends.n = 0;
		m->appends.v = NULL;
		m->appends.cap = 0;
	}
	m->c.visibility = r->rs->counter++;
	return unknown_keys(r, it, it->map, allowed, 4);
}

/* ---- exceptions (spec §10) ---------------------------------------------- */

static uint32_t hash_str(const char *s)
{
	return (uint32_t)fl_hash_str(FL_HASH_INIT, s);
}

/* An empty map for n names in *m, backed by r's scratch table: valid
 * until the next nmap_init. */
static int nmap_init(rd *r, nmap *m, size_t n)
{
	if (n > UINT32_MAX / 4)
		return FL_ENOMEM;
	uint32_t cap = 16;
	while (cap < n * 2 + 2)
		cap *= 2;
	if (cap > r->names_cap) {
		r->names.name = fl_arena_alloc(r->a, sizeof(*r->names.name) * cap);
		r->names.idx = fl_arena_alloc(r->a, sizeof(*r->names.idx) * cap);
		if (!r->names.name || !r->names.idx)
			return FL_ENOMEM;
		r->names_cap = cap;
	} else {
		/* Only the slots this map probes: a big table left by a hostile
		 * rule does not make every later rule pay for clearing it. */
		memset(r->names.name, 0, sizeof(*r->names.name) * cap);
	}
	m->name = r->names.name;
	m->idx = r->names.idx;
	m->cap = cap;
	return 0;
}

/* Index of `name`, or -1. */
static int64_t nmap_get(const nmap *m, const char *name)
{
	for (uint32_t i = hash_str(name) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->name[i])
			return -1;
		if (strcmp(m->name[i], name) == 0)
			return m->idx[i];
	}
}

/* Adds name → idx unless present (the first occurrence wins, as Falco's
 * find_if); the map was sized for every name that will be added. */
static void nmap_put(nmap *m, const char *name, uint32_t idx)
{
	uint32_t i = hash_str(name) & (m->cap - 1);
	for (; m->name[i]; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->name[i], name) == 0)
			return;
	m->name[i] = name;
	m->idx[i] = idx;
}

/* Falco's entry::is_valid(): a non-empty scalar or a non-empty sequence. */
static int entry_valid(const fl_ynode *n)
{
	if (!n)
		return 0;
	if (n->kind == FL_Y_SCALAR)
		return !n->is_null && n->len > 0;
	return n->kind == FL_Y_SEQ && n->n > 0;
}

/* decode_exception_info_entry: scalars must be non-empty, at any depth;
 * null and maps decode to nothing. */
static int check_entry(rd *r, const item *it, const fl_ynode *n, const char *what,
		       unsigned depth)
{
	if (n->kind == FL_Y_SCALAR) {
		if (!n->is_null && n->len == 0)
			return err(r, it, FL009, n->span, "%s is an empty string", what);
		return 0;
	}
	if (n->kind != FL_Y_SEQ || depth >= MAX_EXC_DEPTH)
		return 0;
	for (uint32_t i = 0; i < n->n; i++)
		TRY(check_entry(r, it, n->kids[i], what, depth + 1));
	return 0;
}

/* read_rule_exceptions: `append` makes `fields` optional and warns about a
 * missing `values`.  *present says whether the key was given at all. */
static int read_exceptions(rd *r, const item *it, int append, rexcs *out, int *present)
{
	const fl_ynode *exs = fl_ymap_get(it->map, "exceptions", NULL);
	*present = exs != NULL;
	if (!exs || (exs->kind == FL_Y_SCALAR && exs->is_null))
		return 0;
	if (exs->kind != FL_Y_SEQ)
		return err(r, it, FL011, exs->span, "value of 'exceptions' is not a sequence");
	nmap seen;
	TRY(nmap_init(r, &seen, exs->n));
	for (uint32_t i = 0; i < exs->n; i++) {
		const fl_ynode *ex = exs->kids[i];
		if (ex->kind != FL_Y_MAP)
			return err(r, it, FL005, ex->span, "exception is not a mapping");
		TRY(check_keys(r, it, ex));
		fl_ynode *name;
		TRY(get_scalar(r, it, ex, "name", 1, &name, NULL));
		rexc e = {.map = ex, .name = name->str, .name_span = name->span};
		int64_t dup = nmap_get(&seen, e.name);
		if (dup >= 0) {
			fl_dg *g = raise(r, it, FL309, name->span, "duplicate exception name '%s'",
					 e.name);
			note(r, g, out->v[dup].name_span, "first used here");
		}
		nmap_put(&seen, e.name, (uint32_t)out->n);
		fl_ynode *fk = NULL;
		const fl_ynode *f = fl_ymap_get(ex, "fields", &fk);
		if (!f && !append)
			return err(r, it, FL006, first_key(ex), "missing key 'fields' in exception '%s'",
				   e.name);
		if (f) {
			TRY(check_entry(r, it, f, "exception field", 0));
			e.fields = f;
		}
		const fl_ynode *c = fl_ymap_get(ex, "comps", NULL);
		if (c) {
			TRY(check_entry(r, it, c, "exception comp", 0));
			e.comps = c;
		}
		e.fields_valid = entry_valid(e.fields);
		e.comps_valid = entry_valid(e.comps);
		fl_ynode *vk = NULL;
		const fl_ynode *vals = fl_ymap_get(ex, "values", &vk);
		if (vals) {
			if (vals->kind != FL_Y_SEQ)
				return err(r, it, FL011, vals->span,
					   "'values' of exception '%s' is not a sequence", e.name);
			for (uint32_t j = 0; j < vals->n; j++)
				TRY(check_entry(r, it, vals->kids[j], "exception value", 0));
			e.values = vals;
		} else if (append) {
			raise(r, it, FL310, name->span, "appended exception '%s' has no values",
			      e.name);
		}
		if (FL_VEC_PUSH(r->a, *out, e))
			return FL_ENOMEM;
	}
	return r->oom ? FL_ENOMEM : 0;
}

/* Operators Falco accepts as comps (libsinsp parser's operator list). */
static const char *const operators[] = {
	"exists", "<=", "<", ">=", ">", "==", "=", "!=", "glob", "iglob",
	"contains", "icontains", "bcontains", "startswith", "bstartswith",
	"endswith", "regex", "intersects", "in", "pmatch",
};
/* String operators that take a modifier (Falco >= 0.44). */
static const char *const modifiable[] = {
	"=", "==", "!=", "contains", "icontains", "bcontains", "startswith",
	"bstartswith", "endswith", "glob", "iglob", "regex",
};

/* "<op> oneof|anyof|allof" with exactly one blank, as the parser prints it. */
static int is_modifier_op(const char *s, size_t len)
{
	static const char *const mods[] = {" oneof", " anyof", " allof"};
	for (int m = 0; m < 3; m++) {
		size_t ml = strlen(mods[m]);
		if (len <= ml || memcmp(s + len - ml, mods[m], ml) != 0)
			continue;
		for (size_t i = 0; i < sizeof(modifiable) / sizeof(modifiable[0]); i++)
			if (strlen(modifiable[i]) == len - ml &&
			    memcmp(modifiable[i], s, len - ml) == 0)
				return 1;
	}
	return 0;
}

static int is_operator(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++)
		if (strlen(operators[i]) == len && memcmp(operators[i], s, len) == 0)
			return 1;
	return is_modifier_op(s, len);
}

/* The comp text of a list-form entry element: scalars only (a nested
 * sequence is "" for Falco), trimmed of blanks (0.44). */
static const char *comp_text(const fl_ynode *n, size_t *len)
{
	if (n->kind != FL_Y_SCALAR || n->is_null) {
		*len = 0;
		return "";
	}
	const char *s = n->str;
	size_t l = n->len;
	while (l && (*s == ' ' || *s == '\t')) {
		s++;
		l--;
	}
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
		l--;
	*len = l;
	return s;
}

/* Falco's is_field_defined for one exception field.  Only for syscall:
 * plugin field sets depend on the plugin version the user loads, so those
 * and transformer expressions are left to the compile stage. */
static int check_field(rd *r, const item *it, const rexc *e, const fl_ynode *f,
		       const char *source, fl_code code)
{
	if (!source || strcmp(source, "syscall") != 0 || f->kind != FL_Y_SCALAR || f->is_null ||
	    memchr(f->str, '(', f->len))
		return 0;
	fl_field_match m;
	fl_field_status st = fl_field_lookup(source, f->str, f->len, r->target, &m);
	if (st != FL_FIELD_UNKNOWN && st != FL_FIELD_OTHER_SOURCE)
		return 0;
	fl_dg *g = raise(r, it, code, f->span, "'%s' is not a field of source '%s' (exception '%s')",
			 f->str, source, e->name);
	const char *sug = fl_field_suggest(source, f->str, f->len, r->target);
	if (g && sug)
		fl_diag_help(&r->s->diags, g, "did you mean '%s'?", sug);
	return r->oom ? FL_ENOMEM : BAD;
}

/* `code` is FL313, or FL312 for replaced exceptions (Falco only fails
 * when compiling those). */
static int check_fields(rd *r, const item *it, const rexc *e, const char *source,
			fl_code code)
{
	if (e->fields->kind == FL_Y_SEQ) {
		for (uint32_t i = 0; i < e->fields->n; i++)
			TRY(check_field(r, it, e, e->fields->kids[i], source, code));
		return 0;
	}
	return check_field(r, it, e, e->fields, source, code);
}

/* validate_exception_info (spec §10.3), with `source` NULL when the rule's
 * source is unknown (no field check, as Falco). */
static int validate_exception(rd *r, const item *it, const rexc *e, fl_code fail,
			      const char *source)
{
	fl_span sp = e->name_span;
	if (e->fields->kind == FL_Y_SEQ) {
		uint32_t nf = e->fields->n;
		if (e->comps_valid) {
			uint32_t nc = e->comps->kind == FL_Y_SEQ ? e->comps->n : 0;
			if (nc != nf)
				return err(r, it, fail == FL312 ? FL312 : FL306, e->comps->span,
					   "exception '%s' has %u fields but %u comps%s", e->name,
					   nf, nc,
					   e->comps->kind == FL_Y_SEQ ? "" : " (a single comp is not expanded)");
			for (uint32_t i = 0; i < nc; i++) {
				size_t len;
				const fl_ynode *cn = e->comps->kids[i];
				const char *c = comp_text(cn, &len);
				if (!is_operator(c, len))
					return err(r, it, fail == FL312 ? FL312 : FL307, cn->span,
						   "unsupported comparison operator '%.*s' in exception '%s'",
						   (int)len, c, e->name);
				if (len == 6 && memcmp(c, "exists", 6) == 0)
					return err(r, it, FL311, cn->span,
						   "operator 'exists' cannot be used in exception '%s' (the clause would not parse)",
						   e->name);
			}
		} else if (fail == FL312) {
			return err(r, it, FL312, sp,
				   "replaced exception '%s' has no 'comps' (Falco adds no default here)",
				   e->name);
		}
		return check_fields(r, it, e, source, fail == FL312 ? FL312 : FL313);
	}
	/* Single-field form. */
	if (!e->comps_valid) {
		if (fail == FL312)
			return err(r, it, FL312, sp,
				   "replaced exception '%s' has no 'comps' (Falco adds no default 'in' here)",
				   e->name);
		return check_fields(r, it, e, source, fail == FL312 ? FL312 : FL313); /* comps default to 'in' */
	}
	if (e->comps->kind == FL_Y_SEQ)
		return err(r, it, fail == FL312 ? FL312 : FL308, e->comps->span,
			   "exception '%s' has a single field but a sequence of comps", e->name);
	const char *c = e->comps->str;
	size_t len = e->comps->len;
	if (!(strcmp(c, "in") == 0 || strcmp(c, "pmatch") == 0 ||
	      strcmp(c, "intersects") == 0 || is_modifier_op(c, len)))
		return err(r, it, fail == FL312 ? FL312 : FL308, e->comps->span,
			   "single-field exception '%s' needs a list operator ('in', 'pmatch', 'intersects' or a modifier such as 'startswith oneof'), not '%s'",
			   e->name, c);
	return check_fields(r, it, e, source, fail == FL312 ? FL312 : FL313);
}

/* Appends the elements of `values` (a sequence, or NULL) to x's. */
static int add_values(rd *r, fl_exception *x, const fl_ynode *values)
{
	if (!values || !values->n)
		return 0;
	if (values->n > EXC_MAX_VALUES - x->nvalues)
		return FL_ENOMEM;
	fl_exc_more *m = fl_arena_alloc(r->a, sizeof(*m));
	if (!m || !(m->values = fl_ypack_make(&r->ycopy, r->src, &values, 1)))
		return FL_ENOMEM;
	m->next = x->more;
	x->more = m;
	x->nvalues += values->n;
	return 0;
}

static int to_exception(rd *r, const rexc *e, int replaced, fl_exception *out)
{
	memset(out, 0, sizeof(*out));
	if (!(out->name = fl_arena_strdup(r->a, e->name)))
		return FL_ENOMEM;
	out->span = e->map->span;
	const fl_ynode *roots[3] = {
		e->fields_valid ? e->fields : NULL,
		e->comps_valid ? e->comps : NULL,
		e->values && e->values->n ? e->values : NULL,
	};
	if ((roots[2] && roots[2]->n > EXC_MAX_VALUES) ||
	    !(out->nodes = fl_ypack_make(&r->ycopy, r->src, roots, 3)))
		return FL_ENOMEM;
	out->nvalues = roots[2] ? roots[2]->n : 0;
	out->replaced = !!replaced;
	return 0;
}

/* ---- rules (spec §8) ----------------------------------------------------- */

static const char *const rule_allowed[] = {
	"rule", "condition", "output", "desc", "priority", "source", "enabled",
	"capture", "capture_duration", "warn_evttypes", "skip-if-unknown-filter",
	"tags", "exceptions", "override", "append",
};
#define NRULE_ALLOWED (sizeof(rule_allowed) / sizeof(rule_allowed[0]))

/* Everything an override/append entry may carry, decoded. */
typedef struct rupd {
	unsigned keys;                  /* K_* present */
	fl_ynode *cond, *output, *desc, *prio, *tags, *cdur;
	int priority;
	int enabled, warn, skip, capture;
	uint32_t capture_duration;
	rexcs *exc;                     /* rd scratch */
	int exc_present;
} rupd;

static int source_differs(const fl_rule *prev, const fl_ynode *src)
{
	return src && strcmp(prev->source, src->str) != 0;
}

static int source_error(rd *r, const item *it, const fl_rule *prev, const fl_ynode *src)
{
	fl_dg *g = raise(r, it, FL104, src ? src->span : first_key(it->map),
			 "rule '%s' redefined with source '%s' (it has source '%s')",
			 prev->c.name, src ? src->str : "syscall", prev->source);
	if (prev->source_span.src != UINT32_MAX)
		note(r, g, prev->source_span, "source given here");
	else
		note(r, g, fl_item_name_span(&prev->c), "rule defined here (source defaults to 'syscall')");
	return r->oom ? FL_ENOMEM : BAD;
}

/* Decodes key `k` of an override entry into u. */
static int decode_rule_key(rd *r, const item *it, int k, int append, rupd *u)
{
	const fl_ynode *m = it->map;
	int has;
	switch (k) {
	case K_CONDITION:
		return get_scalar(r, it, m, "condition", 1, &u->cond, NULL);
	case K_EXCEPTIONS:
		return read_exceptions(r, it, append, u->exc, &u->exc_present);
	case K_OUTPUT:
		return get_scalar(r, it, m, "output", 1, &u->output, NULL);
	case K_DESC:
		return get_scalar(r, it, m, "desc", 1, &u->desc, NULL);
	case K_TAGS:
		return get_seq(r, it, m, "tags", 0, &u->tags);
	case K_PRIORITY:
		TRY(get_scalar(r, it, m, "priority", 1, &u->prio, NULL));
		u->priority = fl_priority_parse(u->prio->str, u->prio->len);
		if (u->priority < 0)
			return err(r, it, FL301, u->prio->span, "invalid priority '%s'", u->prio->str);
		return 0;
	case K_CAPTURE:
		return get_bool(r, it, m, "capture", 1, &has, &u->capture);
	case K_CAPTURE_DURATION:
		TRY(get_scalar(r, it, m, "capture_duration", 1, &u->cdur, NULL));
		if (parse_u32(u->cdur->str, &u->capture_duration))
			return err(r, it, FL010, u->cdur->span,
				   "value of 'capture_duration' is not an unsigned integer: '%s'",
				   u->cdur->str);
		return 0;
	case K_ENABLED:
		return get_bool(r, it, m, "enabled", 1, &has, &u->enabled);
	case K_WARN_EVTTYPES:
		return get_bool(r, it, m, "warn_evttypes", 1, &has, &u->warn);
	case K_SKIP:
		return get_bool(r, it, m, "skip-if-unknown-filter", 1, &has, &u->skip);
	}
	return 0;
}

/* Collector checks of an exception append (spec §10.4), without changing
 * the rule: names introduced earlier in the same entry count as existing. */
static fl_rule_appends *rule_appends(rd *r, fl_rule *rule)
{
	if (!rule->app)
		rule->app = fl_arena_alloc(r->a, sizeof(*rule->app));
	return rule->app;
}

/* Name → index of a rule's exceptions (the first of equal names), kept
 * from one exception append to the next: rebuilding it for each append
 * was quadratic when many entries append to a rule with many exceptions.
 * Dropped (app->exc_names = NULL) when the exceptions are replaced. */
struct fl_exc_names {
	nmap m;
	uint32_t n;      /* names in m */
};

/* Doubles the table of x, or makes its first one. */
static int exc_names_grow(rd *r, struct fl_exc_names *x)
{
	if (x->m.cap > UINT32_MAX / 4)
		return FL_ENOMEM;
	nmap g = {.cap = x->m.cap ? x->m.cap * 2 : 16};
	g.name = fl_arena_alloc(r->a, sizeof(*g.name) * g.cap);
	g.idx = fl_arena_alloc(r->a, sizeof(*g.idx) * g.cap);
	if (!g.name || !g.idx)
		return FL_ENOMEM;
	for (uint32_t i = 0; i < x->m.cap; i++)
		if (x->m.name[i])
			nmap_put(&g, x->m.name[i], x->m.idx[i]);
	x->m = g;
	return 0;
}

/* Adds name → idx unless present, growing the table at half load. */
static int exc_names_put(rd *r, struct fl_exc_names *x, const char *name, uint32_t idx)
{
	if ((uint64_t)(x->n + 1) * 2 > x->m.cap)
		TRY(exc_names_grow(r, x));
	if (nmap_get(&x->m, name) < 0) {
		nmap_put(&x->m, name, idx);
		x->n++;
	}
	return 0;
}

/* *out = the name index of rule's exceptions, built at its first use. */
static int exc_names_of(rd *r, fl_rule *rule, struct fl_exc_names **out)
{
	fl_rule_appends *app = rule_appends(r, rule);
	if (!app)
		return FL_ENOMEM;
	if (!app->exc_names) {
		struct fl_exc_names *x = fl_arena_alloc(r->a, sizeof(*x));
		if (!x)
			return FL_ENOMEM;
		TRY(exc_names_grow(r, x));
		for (size_t j = 0; j < rule->exceptions.n; j++)
			TRY(exc_names_put(r, x, rule->exceptions.v[j].name, (uint32_t)j));
		app->exc_names = x;
	}
	*out = app->exc_names;
	return 0;
}

static int check_exc_append(rd *r, const item *it, fl_rule *prev, const rexcs *xs)
{
	struct fl_exc_names *known;
	TRY(exc_names_of(r, prev, &known));
	nmap names;   /* names this entry introduces */
	TRY(nmap_init(r, &names, xs->n));
	for (size_t i = 0; i < xs->n; i++) {
		const rexc *e = &xs->v[i];
		if (nmap_get(&known->m, e->name) < 0 && nmap_get(&names, e->name) < 0) {
			if (!e->fields_valid)
				return err(r, it, FL303, e->name_span,
					   "new exception '%s' has no fields", e->name);
			if (!e->values || e->values->n == 0)
				return err(r, it, FL304, e->name_span,
					   "new exception '%s' has no values", e->name);
			TRY(validate_exception(r, it, e, FL306,
					       prev->source_unknown ? NULL : prev->source));
			nmap_put(&names, e->name, 0);
		} else {
			if (e->fields_valid)
				return err(r, it, FL305, e->fields->span,
					   "fields given for existing exception '%s': only values can be appended",
					   e->name);
			if (e->comps_valid)
				return err(r, it, FL305, e->comps->span,
					   "comps given for existing exception '%s': only values can be appended",
					   e->name);
		}
	}
	return 0;
}

static int apply_exc_append(rd *r, fl_rule *prev, const rexcs *xs)
{
	if (!xs->n)
		return 0;
	struct fl_exc_names *names;
	TRY(exc_names_of(r, prev, &names));
	for (size_t i = 0; i < xs->n; i++) {
		const rexc *e = &xs->v[i];
		int64_t at = nmap_get(&names->m, e->name);
		if (at < 0) {
			fl_exception nx;
			TRY(to_exception(r, e, 0, &nx));
			TRY(exc_names_put(r, names, nx.name, (uint32_t)prev->exceptions.n));
			if (FL_VEC_PUSH(r->a, prev->exceptions, nx))
				return FL_ENOMEM;
			continue;
		}
		TRY(add_values(r, &prev->exceptions.v[at], e->values));
	}
	return 0;
}

static int set_tags(rd *r, fl_rule *rule, const fl_ynode *tags, int reset)
{
	if (reset) {
		rule->tags.n = 0;
		rule->tags.v = NULL;
		rule->tags.cap = 0;
	}
	if (!tags || !tags->n)
		return 0;
	/* Appended tags are sorted in once the file is read: sorting the set
	 * at every append would be quadratic again. */
	if (!reset && !rule->tags_unsorted && FL_VEC_PUSH(r->a, r->tagged, rule))
		return FL_ENOMEM;
	if (FL_VEC_RESERVE(r->a, rule->tags, tags->n))
		return FL_ENOMEM;
	for (uint32_t i = 0; i < tags->n; i++)
		TRY(fl_rule_add_tag(r->rs, rule, tags->kids[i]->str));
	if (reset)
		fl_rule_sort_tags(rule);
	return 0;
}

/* A rule's description as a definition or a replace sets it: kept only
 * when the one check that reads descriptions could find something in it
 * (fl_desc_may_name); else empty, which the check treats alike, alone or
 * joined with appends.  Most descriptions are prose, folded over lines:
 * decoded copies that cost as much as the rule record. */
static int desc_text(rd *r, const fl_ynode *n, fl_text *t)
{
	if (fl_desc_may_name(n->str, n->len))
		return scalar_text(r, n, t);
	*t = (fl_text){"", 0, 0, NULL};
	return 0;
}

static int join_into(rd *r, fl_text_builder *b, fl_text *t, const fl_ynode *n)
{
	fl_text x;
	TRY(scalar_text(r, n, &x));
	b->a = r->a;
	return fl_text_join(b, t, &x, t);
}

/* Override entry (spec §9) and legacy append (§8.5). */
static int rule_update(rd *r, item *it, const fl_ynode *name, const fl_ynode *src,
		       int legacy, unsigned oa, unsigned orp)
{
	rupd ua = {.exc = &r->exc[0]}, ur = {.exc = &r->exc[1]};
	ua.exc->n = ur.exc->n = 0;
	fl_rule *prev = fl_ruleset_rule(r->rs, name->str, name->len);

	if (legacy) {
		/* Only condition and exceptions are taken; the rest is ignored. */
		if (fl_ymap_get(it->map, "condition", NULL)) {
			TRY(get_scalar(r, it, it->map, "condition", 1, &ua.cond, NULL));
			ua.keys |= 1u << K_CONDITION;
		}
		if (fl_ymap_get(it->map, "exceptions", NULL)) {
			TRY(read_exceptions(r, it, 1, ua.exc, &ua.exc_present));
			ua.keys |= 1u << K_EXCEPTIONS;
		}
		if (!prev)
			return err(r, it, FL101, name->span, "append to undefined rule '%s'", name->str);
		if (!ua.keys)
			return err(r, it, FL105, first_key(it->map),
				   "appended rule '%s' has neither 'condition' nor 'exceptions'",
				   name->str);
		if (source_differs(prev, src))
			return source_error(r, it, prev, src);
		if (ua.keys & (1u << K_EXCEPTIONS))
			TRY(check_exc_append(r, it, prev, ua.exc));
	} else {
		unsigned expected = 0;
		for (int k = 0; k < K_NKEYS; k++)
			if (fl_ymap_get(it->map, rule_keys[k], NULL))
				expected |= 1u << k;
		for (int pass = 0; pass < 2; pass++) {
			unsigned set = pass ? orp : oa;
			rupd *u = pass ? &ur : &ua;
			if (!set)
				continue;
			for (int k = 0; k < K_NKEYS; k++) {
				if (!(set & (1u << k)))
					continue;
				if (!(expected & (1u << k)))
					return err(r, it, FL017, override_key(it->map, rule_keys[k]),
						   "override asks to %s '%s' but the entry has no '%s'",
						   pass ? "replace" : "append to", rule_keys[k],
						   rule_keys[k]);
				expected &= ~(1u << k);
				TRY(decode_rule_key(r, it, k, !pass, u));
				u->keys |= 1u << k;
			}
			if (!prev)
				return pass ? err(r, it, FL102, name->span,
						  "replace override of undefined rule '%s'", name->str)
					    : err(r, it, FL101, name->span,
						  "append to undefined rule '%s'", name->str);
			if ((u->keys & (1u << K_CONDITION)) && source_differs(prev, src))
				return source_error(r, it, prev, src);
			if (!pass && (u->keys & (1u << K_EXCEPTIONS)))
				TRY(check_exc_append(r, it, prev, u->exc));
			if (pass && (u->keys & (1u << K_EXCEPTIONS)))
				for (size_t i = 0; i < u->exc->n; i++) {
					/* Falco skips validation here; we check what
					 * would break later (spec §10.3 caveat). */
					const rexc *e = &u->exc->v[i];
					if (e->fields_valid &&
					    validate_exception(r, it, e, FL312,
							       prev->source_unknown ? NULL
										    : prev->source) == FL_ENOMEM)
						return FL_ENOMEM;
				}
		}
		if (expected) {
			/* Falco names the alphabetically first leftover key. */
			int first = -1;
			for (int k = 0; k < K_NKEYS; k++)
				if ((expected & (1u << k)) &&
				    (first < 0 || strcmp(rule_keys[k], rule_keys[first]) < 0))
					first = k;
			fl_ynode *kn = NULL;
			fl_ymap_get(it->map, rule_keys[first], &kn);
			return err(r, it, FL018, kn->span,
				   "key '%s' has no entry under 'override' (add '%s: append' or '%s: replace')",
				   rule_keys[first], rule_keys[first], rule_keys[first]);
		}
	}

	/* Everything checked: apply appends, then replaces. */
	if (ua.keys) {
		TRY(contrib(r, &prev->c, legacy ? FL_CONTRIB_APPEND : FL_CONTRIB_OVERRIDE_APPEND,
			    it, name));
		fl_rule_appends *b = NULL;
		if ((ua.cond || ua.output || ua.desc) && !(b = rule_appends(r, prev)))
			return FL_ENOMEM;
		if (ua.cond) {
			fl_cond_piece p = {.span = ua.cond->span, .item = it->map->span};
			TRY(scalar_text(r, ua.cond, &p.text));
			if (FL_VEC_PUSH(r->a, b->cond_appends, p))
				return FL_ENOMEM;
			b->cond.a = r->a;
			TRY(fl_text_join(&b->cond, &prev->cond, &p.text, &prev->cond));
		}
		if (ua.output)
			TRY(join_into(r, &b->output, &prev->output, ua.output));
		if (ua.desc)
			TRY(join_into(r, &b->desc, &prev->desc, ua.desc));
		TRY(set_tags(r, prev, ua.tags, 0));
		TRY(apply_exc_append(r, prev, ua.exc));
		prev->c.visibility = r->rs->counter++;
	}
	if (ur.keys) {
		TRY(contrib(r, &prev->c, FL_CONTRIB_OVERRIDE_REPLACE, it, name));
		if (ur.cond) {
			fl_cond_piece p = {.span = ur.cond->span, .item = it->map->span};
			TRY(scalar_text(r, ur.cond, &p.text));
			prev->cond_def = p;
			prev->cond = p.text;
			if (prev->app)
				memset(&prev->app->cond_appends, 0, sizeof prev->app->cond_appends);
		}
		if (ur.output) {
			TRY(scalar_text(r, ur.output, &prev->output));
			prev->output_span = ur.output->span;
		}
		if (ur.desc)
			TRY(desc_text(r, ur.desc, &prev->desc));
		if (ur.keys & (1u << K_TAGS))
			TRY(set_tags(r, prev, ur.tags, 1));
		if (ur.keys & (1u << K_EXCEPTIONS)) {
			prev->exceptions.n = 0;
			prev->exceptions.v = NULL;
			prev->exceptions.cap = 0;
			if (prev->app)
				prev->app->exc_names = NULL;
			if (FL_VEC_RESERVE(r->a, prev->exceptions, ur.exc->n))
				return FL_ENOMEM;
			for (size_t i = 0; i < ur.exc->n; i++) {
				fl_exception x;
				TRY(to_exception(r, &ur.exc->v[i], 1, &x));
				if (FL_VEC_PUSH(r->a, prev->exceptions, x))
					return FL_ENOMEM;
			}
		}
		if (ur.prio) {
			prev->priority = (fl_priority)ur.priority;
			prev->priority_span = ur.prio->span;
		}
		if (ur.keys & (1u << K_ENABLED))
			prev->enabled = ur.enabled;
		if (ur.keys & (1u << K_WARN_EVTTYPES))
			prev->warn_evttypes = ur.warn;
		if (ur.keys & (1u << K_SKIP))
			prev->skip_if_unknown_filter = ur.skip;
		if (ur.keys & (1u << K_CAPTURE))
			prev->capture = ur.capture;
		if (ur.keys & (1u << K_CAPTURE_DURATION))
			prev->capture_duration = ur.capture_duration;
		prev->c.visibility = r->rs->counter++;
	}
	return unknown_keys(r, it, it->map, rule_allowed, NRULE_ALLOWED);
}

/* Enabled-only entry (spec §8.4). */
static int rule_enable(rd *r, item *it, const fl_ynode *name)
{
	int has, en;
	TRY(get_bool(r, it, it->map, "enabled", 1, &has, &en));
	fl_ynode *ek = NULL;
	fl_ymap_get(it->map, "enabled", &ek);
	raise(r, it, FL402, ek->span,
	      "an entry with only 'enabled' is deprecated (use 'override: {enabled: replace}')");
	fl_rule *prev = fl_ruleset_rule(r->rs, name->str, name->len);
	if (!prev)
		return err(r, it, FL103, name->span, "enabled-only entry for undefined rule '%s'",
			   name->str);
	TRY(contrib(r, &prev->c, FL_CONTRIB_ENABLE, it, name));
	prev->enabled = en;
	return unknown_keys(r, it, it->map, rule_allowed, NRULE_ALLOWED);
}

/* Full definition (spec §8.3). */
static int rule_define(rd *r, item *it, const fl_ynode *name)
{
	const fl_ynode *m = it->map;
	fl_ynode *cond, *output, *desc, *prio, *src, *cdur;
	fl_ynode *tags;
	int has, enabled = 1, warn = 1, skip = 0, capture = 0;
	uint32_t capture_duration = 0;
	rexcs *exc = &r->exc[0];

	TRY(get_scalar(r, it, m, "condition", 1, &cond, NULL));
	TRY(get_scalar(r, it, m, "output", 1, &output, NULL));
	TRY(get_scalar(r, it, m, "desc", 1, &desc, NULL));
	TRY(get_scalar(r, it, m, "priority", 1, &prio, NULL));
	int pri = fl_priority_parse(prio->str, prio->len);
	if (pri < 0)
		return err(r, it, FL301, prio->span, "invalid priority '%s'", prio->str);
	TRY(get_scalar(r, it, m, "source", 0, &src, NULL));
	TRY(get_bool(r, it, m, "enabled", 0, &has, &enabled));
	TRY(get_bool(r, it, m, "warn_evttypes", 0, &has, &warn));
	TRY(get_bool(r, it, m, "skip-if-unknown-filter", 0, &has, &skip));
	TRY(get_bool(r, it, m, "capture", 0, &has, &capture));
	TRY(get_scalar(r, it, m, "capture_duration", 0, &cdur, NULL));
	if (cdur && parse_u32(cdur->str, &capture_duration))
		return err(r, it, FL010, cdur->span,
			   "value of 'capture_duration' is not an unsigned integer: '%s'", cdur->str);
	TRY(get_seq(r, it, m, "tags", 0, &tags));
	int exc_present;
	exc->n = 0;
	TRY(read_exceptions(r, it, 0, exc, &exc_present));

	/* Collector. */
	const char *source = src ? src->str : "syscall";
	fl_rule *prev = fl_ruleset_rule(r->rs, name->str, name->len);
	if (prev && strcmp(prev->source, source) != 0)
		return source_error(r, it, prev, src);
	int unknown = !fl_ruleset_source_known(r->rs, source);
	if (unknown) {
		fl_dg *g = raise(r, it, FL302, src->span,
				 "unknown source '%s': rule '%s' is not compiled", source, name->str);
		if (g)
			fl_diag_help(&r->s->diags, g,
				     "declare the plugin that provides it in 'required_plugin_versions'");
	}
	for (size_t i = 0; i < exc->n; i++) {
		const rexc *e = &exc->v[i];
		if (!e->fields_valid)
			return err(r, it, FL303, e->fields ? e->fields->span : e->name_span,
				   "exception '%s' has no fields", e->name);
		TRY(validate_exception(r, it, e, FL306, unknown ? NULL : source));
	}

	int redefine = prev != NULL;
	fl_rule *rule = prev;
	if (!rule && !(rule = fl_ruleset_add_rule(r->rs, name->str, name->len)))
		return FL_ENOMEM;
	if (redefine) {
		/* A redefinition replaces every key but keeps position and
		 * history.  (A new rule comes zeroed from the arena.) */
		fl_item_common keep = rule->c;
		void *compiled = rule->compiled;
		memset(rule, 0, sizeof(*rule));
		rule->c = keep;
		rule->compiled = compiled;
	} else {
		rule->c.order = r->rs->counter;
	}
	TRY(contrib(r, &rule->c, redefine ? FL_CONTRIB_REDEFINE : FL_CONTRIB_DEFINE, it, name));
	rule->cond_def = (fl_cond_piece){.span = cond->span, .item = m->span};
	TRY(scalar_text(r, cond, &rule->cond_def.text));
	rule->cond = rule->cond_def.text;
	TRY(scalar_text(r, output, &rule->output));
	TRY(fl_text_trim(r->a, &rule->output));
	rule->output_span = output->span;
	TRY(desc_text(r, desc, &rule->desc));
	rule->priority = (fl_priority)pri;
	rule->priority_span = prio->span;
	rule->source = src ? fl_ruleset_intern(r->rs, src->str, src->len) : "syscall";
	if (!rule->source)
		return FL_ENOMEM;
	rule->source_span = src ? src->span : FL_NOSPAN;
	rule->source_unknown = unknown;
	rule->enabled = enabled;
	rule->warn_evttypes = warn;
	rule->skip_if_unknown_filter = skip;
	rule->capture = capture;
	rule->capture_duration = capture_duration;
	TRY(set_tags(r, rule, tags, 1));
	if (FL_VEC_RESERVE(r->a, rule->exceptions, exc->n))
		return FL_ENOMEM;
	for (size_t i = 0; i < exc->n; i++) {
		fl_exception x;
		TRY(to_exception(r, &exc->v[i], 0, &x));
		if (FL_VEC_PUSH(r->a, rule->exceptions, x))
			return FL_ENOMEM;
	}
	rule->c.visibility = r->rs->counter++;
	return unknown_keys(r, it, m, rule_allowed, NRULE_ALLOWED);
}

static int read_rule(rd *r, item *it)
{
	fl_ynode *name;
	const fl_ynode *src = NULL;
	int append = 0, has;
	unsigned oa, orp;

	TRY(read_name(r, it, "rule", &name));
	/* `source` is read early with empty allowed (null or "" = none). */
	const fl_ynode *sv = fl_ymap_get(it->map, "source", NULL);
	if (sv && !(sv->kind == FL_Y_SCALAR && (sv->is_null || sv->len == 0))) {
		if (sv->kind != FL_Y_SCALAR)
			return err(r, it, FL008, sv->span, "value of 'source' is not a scalar");
		src = sv;
	}
	TRY(get_bool(r, it, it->map, "append", 0, &has, &append));
	if (has && append)
		raise(r, it, FL401, fl_ymap_get(it->map, "append", NULL)->span,
		      "'append: true' is deprecated (use 'override:' with 'append' per key)");
	TRY(read_overrides(r, it, rule_keys, K_NKEYS, RULE_APPENDABLE, RULE_REPLACEABLE,
			   &oa, &orp));
	if (append && (oa | orp))
		return append_and_override(r, it);
	if (oa | orp)
		return rule_update(r, it, name, src, 0, oa, orp);
	if (append)
		return rule_update(r, it, name, src, 1, 0, 0);
	if (!fl_ymap_get(it->map, "condition", NULL) && !fl_ymap_get(it->map, "output", NULL) &&
	    !fl_ymap_get(it->map, "desc", NULL) && !fl_ymap_get(it->map, "priority", NULL))
		return rule_enable(r, it, name);
	return rule_define(r, it, name);
}

/* ---- version requirements (spec §4, §5) --------------------------------- */

static int read_engine_version(rd *r, item *it)
{
	static const char *const allowed[] = {"required_engine_version"};
	fl_ynode *v;
	unsigned ver[3];
	uint32_t n;
	TRY(get_scalar(r, it, it->map, "required_engine_version", 1, &v, NULL));
	if (parse_u32(v->str, &n) == 0) {
		ver[0] = 0;
		ver[1] = n;
		ver[2] = 0;
	} else if (parse_semver(v->str, ver)) {
		return err(r, it, FL025, v->span,
			   "cannot parse engine version '%s' (expected an integer or x.y.z)", v->str);
	}
	const unsigned *e = r->s->engine;
	if (e[0] || e[1] || e[2]) {
		int older = e[1] < ver[1] || (e[1] == ver[1] && e[2] < ver[2]);
		if (e[0] != ver[0] || older)
			return err(r, it, FL403, v->span,
				   "rules require engine version %u.%u.%u, the target engine is %u.%u.%u",
				   ver[0], ver[1], ver[2], e[0], e[1], e[2]);
	}
	fl_ruleset *rs = r->rs;
	if (!rs->has_req_engine || ver[0] > rs->req_engine[0] ||
	    (ver[0] == rs->req_engine[0] &&
	     (ver[1] > rs->req_engine[1] ||
	      (ver[1] == rs->req_engine[1] && ver[2] > rs->req_engine[2])))) {
		memcpy(rs->req_engine, ver, sizeof(ver));
		rs->req_engine_span = v->span;
		rs->has_req_engine = 1;
	}
	return unknown_keys(r, it, it->map, allowed, 1);
}

static int read_plugin_alt(rd *r, const item *it, const fl_ynode *m, fl_plugin_alt *out)
{
	fl_ynode *name, *ver;
	if (m->kind != FL_Y_MAP)
		return err(r, it, FL005, m->span, "plugin requirement is not a mapping");
	TRY(check_keys(r, it, m));
	TRY(get_scalar(r, it, m, "name", 1, &name, NULL));
	TRY(get_scalar(r, it, m, "version", 1, &ver, NULL));
	out->name = keep_str(r, name);
	out->version = keep_str(r, ver);
	if (!out->name || !out->version)
		return FL_ENOMEM;
	out->span = ver->span;
	out->name_span = name->span;
	return 0;
}

static int read_plugin_versions(rd *r, item *it)
{
	static const char *const allowed[] = {"required_plugin_versions"};
	const fl_ynode *v = fl_ymap_get(it->map, "required_plugin_versions", NULL);
	if (v->kind != FL_Y_SEQ)
		return err(r, it, FL011, v->span,
			   "value of 'required_plugin_versions' is not a sequence");
	for (uint32_t i = 0; i < v->n; i++) {
		const fl_ynode *e = v->kids[i];
		fl_plugin_req req = {.span = e->span};
		fl_plugin_alt alt;
		TRY(read_plugin_alt(r, it, e, &alt));
		if (FL_VEC_PUSH(r->a, req.alts, alt))
			return FL_ENOMEM;
		const fl_ynode *alts = fl_ymap_get(e, "alternatives", NULL);
		if (alts) {
			if (alts->kind != FL_Y_SEQ)
				return err(r, it, FL011, alts->span,
					   "value of 'alternatives' is not a sequence");
			for (uint32_t j = 0; j < alts->n; j++) {
				TRY(read_plugin_alt(r, it, alts->kids[j], &alt));
				if (FL_VEC_PUSH(r->a, req.alts, alt))
					return FL_ENOMEM;
			}
		}
		/* Collector: every version x.y.z, every name once per entry. */
		nmap seen;
		TRY(nmap_init(r, &seen, req.alts.n));
		for (size_t j = 0; j < req.alts.n; j++) {
			unsigned pv[3];
			const fl_plugin_alt *a = &req.alts.v[j];
			if (parse_semver(a->version, pv))
				return err(r, it, FL404, a->span,
					   "invalid version '%s' for plugin '%s' (expected x.y.z)",
					   a->version, a->name);
			if (nmap_get(&seen, a->name) >= 0)
				return err(r, it, FL405, a->name_span,
					   "plugin '%s' is required more than once in one entry",
					   a->name);
			nmap_put(&seen, a->name, (uint32_t)j);
		}
		for (size_t j = 0; j < req.alts.n; j++)
			TRY(fl_ruleset_add_plugin_source(r->rs, req.alts.v[j].name));
		if (FL_VEC_PUSH(r->a, r->rs->plugins, req))
			return FL_ENOMEM;
	}
	return unknown_keys(r, it, it->map, allowed, 1);
}

/* ---- items and documents ------------------------------------------------- */

static int read_item(rd *r, const fl_ynode *n)
{
	item it = {.map = n};
	if (n->kind != FL_Y_MAP)
		return err(r, NULL, FL005, n->span,
			   "item is not a mapping (each element must be a list, macro or rule)");
	if (n->n == 0) {
		raise(r, NULL, FL021, n->span, "empty item is ignored");
		return r->oom ? FL_ENOMEM : 0;
	}
	/* The kind is the first of these keys present, in this fixed order. */
	static const char *const kinds[] = {
		"required_engine_version", "required_plugin_versions", "list", "macro", "rule",
	};
	int kind = -1;
	/* One pass over the keys (five lookups scanned every key five times),
	 * comparing the first byte before the name. */
	for (uint32_t k = 0; k < n->n && kind != 0; k++) {
		const fl_ynode *key = FL_YKEY(n, k);
		if (key->kind != FL_Y_SCALAR)
			continue;
		for (int i = 0; i < (kind < 0 ? 5 : kind); i++)
			if (key->str[0] == kinds[i][0] && strcmp(key->str, kinds[i]) == 0) {
				kind = i;
				break;
			}
	}
	static const char *const kind_names[] = {
		"required_engine_version", "required_plugin_versions", "list", "macro", "rule",
	};
	if (kind >= 0)
		it.kind = kind_names[kind];
	TRY(check_keys(r, &it, n));
	switch (kind) {
	case 0:
		return read_engine_version(r, &it);
	case 1:
		return read_plugin_versions(r, &it);
	case 2:
		return read_list(r, &it);
	case 3:
		return read_macro(r, &it);
	case 4:
		return read_rule(r, &it);
	}
	raise(r, NULL, FL021, first_key(n),
	      "unknown item (no 'rule', 'macro', 'list', 'required_engine_version' or 'required_plugin_versions' key) is ignored");
	return r->oom ? FL_ENOMEM : 0;
}

int fl_load_begin(fl_session *s, const fl_source *src, fl_loader **out)
{
	*out = NULL;
	if (!s->rs && !(s->rs = fl_ruleset_new(s->arena)))
		return FL_ENOMEM;
	rd *r = fl_arena_alloc(s->arena, sizeof *r);
	if (!r)
		return FL_ENOMEM;
	*r = (rd){.s = s, .rs = s->rs, .a = s->arena, .src = src, .ycopy = {.a = s->arena}};
	const char *falco = s->opt.target_falco ? s->opt.target_falco : fl_newest_falco();
	if (fl_version_parse(falco, strlen(falco), &r->target))
		r->target = FL_VERSION_UNRELEASED;
	r->file = SIZE_MAX;
	*out = r;
	return 0;
}

/* The file's entry in rs->files, made when the loader first reads from
 * it: a file that turns out not to be YAML has none, as when it was
 * parsed whole before loading. */
static int file_entry(rd *r)
{
	if (r->file != SIZE_MAX)
		return 0;
	fl_rs_file f = {.src = r->src->id, .first_error = -1};
	if (FL_VEC_PUSH(r->a, r->rs->files, f))
		return FL_ENOMEM;
	r->file = r->rs->files.n - 1;
	return 0;
}

int fl_load_item(fl_loader *r, const fl_ynode *n)
{
	TRY(file_entry(r));
	if (n->kind == FL_Y_SCALAR && n->is_null)
		return 0;
	int rc = read_item(r, n);
	if (rc < 0 || r->oom)
		return FL_ENOMEM;
	if (rc == 0)
		r->rs->files.v[r->file].nitems++;
	return 0;
}

int fl_load_doc(fl_loader *r, const fl_ynode *root)
{
	TRY(file_entry(r));
	if (!root || (root->kind == FL_Y_SCALAR && root->is_null))
		return 0;
	if (root->kind != FL_Y_SEQ) {
		int rc = err(r, NULL, FL004, root->span,
			     "rules document is a %s, not a sequence of items",
			     root->kind == FL_Y_MAP ? "mapping" : "scalar");
		return rc < 0 ? rc : 0;
	}
	for (uint32_t i = 0; i < root->n; i++)
		TRY(fl_load_item(r, root->kids[i]));
	return 0;
}

int fl_load_end(fl_loader *r)
{
	TRY(file_entry(r));
	for (size_t i = 0; i < r->tagged.n; i++)
		fl_rule_sort_tags(r->tagged.v[i]);
	return r->oom ? FL_ENOMEM : 0;
}

int fl_load_file(fl_session *s, const fl_source *src, fl_ydoc *docs, uint32_t ndocs)
{
	fl_loader *r;
	TRY(fl_load_begin(s, src, &r));
	for (uint32_t d = 0; d < ndocs; d++)
		TRY(fl_load_doc(r, docs[d].root));
	return fl_load_end(r);
}
