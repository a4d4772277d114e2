/* yaml.c — libyaml event stream → fl_ynode tree with exact spans.
 * Built iteratively (an explicit stack, never C recursion) so that nesting
 * depth is a limit with a diagnostic, not a stack overflow; aliases point at
 * the anchored node, so an alias bomb stays linear in the file size. */
#include "yaml.h"
#include "hash.h"
#include "falcolint.h"

#include <stddef.h>
#include <string.h>
#include <yaml.h>

_Static_assert(sizeof(void *) != 8 || sizeof(fl_ynode) == 32,
	       "fl_ynode grew: every node of every file pays for it");

/* The last mark converted.  Marks arrive almost in order, so walking on
 * from the previous one keeps a long line linear: from the line start, a
 * one-line flow list of n items cost n^2 (100,000 items: 100 s). */
typedef struct markcache {
	size_t line, column;
	uint32_t off;
	int valid;
	/* the start of the last line looked up (the line map is sampled:
	 * walking on from here keeps the lookups linear) */
	size_t cur_line;
	uint32_t cur_off;
} markcache;

struct anchor {
	const char *name;
	fl_ynode *node;
};

struct frame {
	fl_ynode *node;
	size_t kids_from;     /* its children start here in builder.kids */
	const char *anchor;
};

typedef struct builder {
	fl_arena *a;          /* nodes, child arrays, scalar values, tags */
	fl_arena *w;          /* the builder's own state; streaming: the nodes
			       * of the documents' roots too */
	const fl_source *src;
	const fl_ylimits *lim;
	fl_diags *d;
	FL_VEC(struct frame) stack;
	/* Children of all open collections, innermost last.  A finished
	 * collection gets an exact-size copy: a doubling vector per collection
	 * would leave its dead copies in the arena (a fifth of the memory). */
	FL_VEC(fl_ynode *) kids;
	/* open-addressing table of anchors, power-of-two size */
	struct anchor *anchors;
	size_t nanchors, cap;
	uint32_t aliases;
	uint32_t nodes;
	markcache mc;
	int ascii;            /* the file has no byte >= 0x80 */
	/* streaming (fl_yaml_stream) */
	const fl_ysink *sink; /* NULL: build whole documents */
	const fl_ynode *item; /* an item complete in this event, to deliver */
	uint32_t delivered;
	unsigned anchor_gen;        /* bumped by every anchor_set */
	unsigned anchor_gen_reset;  /* its value when b->a was last emptied */
	FL_VEC(fl_arena *) retired; /* arenas holding anchored nodes */
} builder;

/* libyaml marks carry line and column (0-based, columns in characters) and
 * an index in characters; convert them to a byte offset with our own line
 * map so a span is exact whatever the encoding of the line.  In a file of
 * ASCII only, characters are bytes and the index is the offset. */
static uint32_t mark_off(builder *b, yaml_mark_t m)
{
	const fl_source *src = b->src;
	if (b->ascii)
		return (uint32_t)(m.index < src->len ? m.index : src->len);
	if (m.line >= src->nlines)
		return (uint32_t)src->len;
	markcache *mc = &b->mc;
	uint32_t off;
	size_t col = m.column;
	if (mc->valid && mc->line == m.line && mc->column <= m.column) {
		off = mc->off;
		col = m.column - mc->column;
	} else {
		if (mc->valid && mc->cur_line <= m.line && m.line - mc->cur_line < FL_LINE_STRIDE) {
			off = mc->cur_off;
			for (size_t k = mc->cur_line; k < m.line; k++)
				off = fl_source_next_line(src, off);
		} else {
			off = fl_source_line_start(src, (uint32_t)m.line);
		}
		mc->cur_line = m.line;
		mc->cur_off = off;
	}
	while (col > 0 && off < src->len && src->data[off] != '\n') {
		off++;
		while (off < src->len && ((unsigned char)src->data[off] & 0xC0) == 0x80)
			off++;
		col--;
	}
	mc->line = m.line;
	mc->column = m.column;
	mc->off = off;
	mc->valid = 1;
	return off;
}

static int all_ascii(const char *s, size_t n)
{
	uint64_t any = 0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		any |= w;
	}
	for (; i < n; i++)
		any |= (unsigned char)s[i];
	return !(any & 0x8080808080808080u);
}

static uint64_t hash_str(const char *s)
{
	return fl_hash_str(FL_HASH_INIT, s);
}

static int anchor_set(builder *b, const char *name, fl_ynode *n)
{
	if ((b->nanchors + 1) * 2 > b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 64;
		struct anchor *t = fl_arena_alloc(b->w, ncap * sizeof(*t));
		if (!t)
			return -1;
		for (size_t i = 0; i < b->cap; i++) {
			if (!b->anchors[i].name)
				continue;
			size_t j = hash_str(b->anchors[i].name) & (ncap - 1);
			while (t[j].name)
				j = (j + 1) & (ncap - 1);
			t[j] = b->anchors[i];
		}
		b->anchors = t;
		b->cap = ncap;
	}
	size_t j = hash_str(name) & (b->cap - 1);
	while (b->anchors[j].name && strcmp(b->anchors[j].name, name) != 0)
		j = (j + 1) & (b->cap - 1);
	if (!b->anchors[j].name)
		b->nanchors++;
	/* A redefined anchor replaces the old one, as YAML says. */
	b->anchors[j].name = name;
	b->anchors[j].node = n;
	b->anchor_gen++;
	return 0;
}

static fl_ynode *anchor_get(const builder *b, const char *name)
{
	if (!b->cap)
		return NULL;
	size_t j = hash_str(name) & (b->cap - 1);
	while (b->anchors[j].name) {
		if (strcmp(b->anchors[j].name, name) == 0)
			return b->anchors[j].node;
		j = (j + 1) & (b->cap - 1);
	}
	return NULL;
}

/* Tags are rare, and a field would cost every node 8 bytes: a tagged node
 * is allocated right behind a pointer to its tag, found from the node. */
struct tagged {
	const char *tag;
	fl_ynode node;
};

/* A zeroed node in `a`, tagged with `tag` (kept as it is) when not NULL. */
static fl_ynode *new_node(fl_arena *a, const char *tag)
{
	if (!tag)
		return fl_arena_alloc(a, sizeof(fl_ynode));
	struct tagged *t = fl_arena_alloc(a, sizeof(*t));
	if (!t)
		return NULL;
	t->tag = tag;
	t->node.has_tag = 1;
	return &t->node;
}

/* A node of the tree being built, tagged with a copy of `tag` when not
 * NULL.  A document's root lives in b->w: when streaming, b->a is emptied
 * after every item of a root sequence while the root is still open. */
static fl_ynode *build_node(builder *b, const yaml_char_t *tag)
{
	fl_arena *a = b->stack.n ? b->a : b->w;
	const char *t = NULL;
	if (tag && !(t = fl_arena_strdup(a, (const char *)tag)))
		return NULL;
	return new_node(a, t);
}

const char *fl_ynode_tag(const fl_ynode *n)
{
	if (!n->has_tag)
		return NULL;
	return ((const struct tagged *)(const void *)((const char *)n -
		offsetof(struct tagged, node)))->tag;
}

static int is_null_plain(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '~') ||
	       (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) ||
			   !memcmp(s, "NULL", 4)));
}

/* Attaches a finished node to the open collection, or makes it the root.
 * When streaming, an item of a root sequence is not attached but marked
 * for delivery (b->item). */
static int attach(builder *b, fl_ynode *n, fl_ynode **root)
{
	if (b->stack.n == 0) {
		*root = n;
		return 0;
	}
	if (b->sink && b->stack.n == 1 && b->stack.v[0].node->kind == FL_Y_SEQ) {
		b->item = n;
		return 0;
	}
	return FL_VEC_PUSH(b->w, b->kids, n);
}

static fl_span mk_span(builder *b, yaml_mark_t s, yaml_mark_t e)
{
	uint32_t so = mark_off(b, s), eo = mark_off(b, e);
	if (eo < so)
		eo = so;
	return (fl_span){b->src->id, so, eo};
}

static void syntax_error(builder *b, yaml_parser_t *p)
{
	yaml_mark_t m = p->problem_mark;
	const char *what = p->problem ? p->problem : "invalid YAML";
	if (p->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset, not a line. */
		uint32_t off = (uint32_t)(p->problem_offset < b->src->len ? p->problem_offset : b->src->len);
		fl_diag(b->d, FL002, (fl_span){b->src->id, off, off},
			"yaml: %s (byte 0x%02x)", what,
			p->problem_value >= 0 ? (unsigned)p->problem_value & 0xff : 0u);
		return;
	}
	if (p->error == YAML_MEMORY_ERROR) {
		fl_diag(b->d, FL003, (fl_span){b->src->id, 0, 0},
			"yaml: out of memory while parsing");
		return;
	}
	uint32_t off = mark_off(b, m);
	fl_dg *g;
	uint32_t coff = mark_off(b, p->context_mark);
	if (p->context && coff == off)
		g = fl_diag(b->d, FL002, (fl_span){b->src->id, off, off}, "yaml: %s %s",
			    what, p->context);
	else
		g = fl_diag(b->d, FL002, (fl_span){b->src->id, off, off}, "yaml: %s", what);
	if (g && p->context && coff != off)
		fl_diag_note(b->d, g, (fl_span){b->src->id, coff, coff}, "%s started here",
			     p->context);
}

/* Bytes an arena holding anchored nodes fills before it is retired. */
#define RETIRE_MIN ((size_t)256 << 10)

/* Hands a finished item of a streamed sequence to the sink, then empties
 * the tree arena for the next one, unless the item defined an anchor: a
 * later alias may reach into it, so its arena is retired (kept to the end
 * of the stream) and a fresh one takes its place. */
static int deliver(builder *b, const fl_ynode *n)
{
	int rc = b->sink->item(b->sink->ctx, n);
	if (rc)
		return rc;
	b->delivered++;
	if (b->anchor_gen == b->anchor_gen_reset) {
		fl_arena_reset(b->a);
		return 0;
	}
	/* An anchor was set since the arena was last emptied: a later
	 * alias may reach into it, so it stays to the end of the stream.
	 * The next items go on filling it until it is large enough to be
	 * retired without waste: a fresh arena per anchored item cost 9 KB
	 * an item (100,000 anchored items: 876 MB). */
	if (fl_arena_used(b->a) < RETIRE_MIN)
		return 0;
	fl_arena *fresh = fl_arena_new_scratch();
	if (!fresh || FL_VEC_PUSH(b->w, b->retired, b->a)) {
		fl_arena_free(fresh);
		return FL_ENOMEM;
	}
	b->a = fresh;
	b->anchor_gen_reset = b->anchor_gen;
	return 0;
}

/* The event loop of fl_yaml_parse and fl_yaml_stream. */
static int build(builder *b, fl_ydoc **docs, uint32_t *ndocs)
{
	yaml_parser_t p;
	yaml_event_t ev;
	const fl_ylimits *lim = b->lim;
	fl_diags *d = b->d;
	FL_VEC(fl_ydoc) out = {0};
	fl_ynode *root = NULL;
	fl_ydoc cur = {0};
	int rc = 0, done = 0;

	if (!yaml_parser_initialize(&p))
		return FL_ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)b->src->data, b->src->len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			syntax_error(b, &p);
			rc = 1;
			break;
		}
		fl_ynode *n = NULL;
		const char *anchor = NULL;
		b->item = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			root = NULL;
			cur.span = mk_span(b, ev.start_mark, ev.end_mark);
			break;
		case YAML_DOCUMENT_END_EVENT:
			cur.root = root;
			cur.span.end = mark_off(b, ev.end_mark);
			if (!b->sink) {
				if (FL_VEC_PUSH(b->w, out, cur))
					rc = FL_ENOMEM;
			} else if (!root || root->kind != FL_Y_SEQ) {
				/* not streamed: the whole document at once */
				rc = b->sink->doc(b->sink->ctx, &cur);
			}
			break;
		case YAML_ALIAS_EVENT:
			if (++b->aliases > lim->max_aliases) {
				fl_span sp = mk_span(b, ev.start_mark, ev.end_mark);
				fl_diag(d, FL003, sp,
					"yaml: more than %u aliases in one file (limit --max-yaml-aliases)",
					lim->max_aliases);
				rc = 1;
				done = 1;
				break;
			}
			n = anchor_get(b, (const char *)ev.data.alias.anchor);
			if (!n) {
				fl_diag(d, FL002, mk_span(b, ev.start_mark, ev.end_mark),
					"yaml: undefined alias '%s'", ev.data.alias.anchor);
				rc = 1;
				done = 1;
				break;
			}
			n->is_alias = 1;
			if (attach(b, n, &root))
				rc = FL_ENOMEM;
			n = NULL;
			break;
		case YAML_SCALAR_EVENT: {
			n = build_node(b, ev.data.scalar.tag);
			if (!n) {
				rc = FL_ENOMEM;
				break;
			}
			n->kind = FL_Y_SCALAR;
			n->span = mk_span(b, ev.start_mark, ev.end_mark);
			n->str = fl_arena_strndup(b->stack.n ? b->a : b->w,
						  (const char *)ev.data.scalar.value,
						  ev.data.scalar.length);
			if (!n->str) {
				rc = FL_ENOMEM;
				n = NULL;
				break;
			}
			n->len = (uint32_t)ev.data.scalar.length;
			switch (ev.data.scalar.style) {
			case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = FL_YS_SINGLE; break;
			case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = FL_YS_DOUBLE; break;
			case YAML_LITERAL_SCALAR_STYLE: n->style = FL_YS_LITERAL; break;
			case YAML_FOLDED_SCALAR_STYLE: n->style = FL_YS_FOLDED; break;
			default: n->style = FL_YS_PLAIN; break;
			}
			n->is_null = n->style == FL_YS_PLAIN && !n->has_tag &&
				     is_null_plain(n->str, n->len);
			if (ev.data.scalar.anchor)
				anchor = fl_arena_strdup(b->w, (const char *)ev.data.scalar.anchor);
			if (attach(b, n, &root))
				rc = FL_ENOMEM;
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			if (b->stack.n >= lim->max_depth) {
				fl_diag(d, FL003, mk_span(b, ev.start_mark, ev.end_mark),
					"yaml: collections nested deeper than %u levels (limit --max-yaml-depth)",
					lim->max_depth);
				rc = 1;
				done = 1;
				break;
			}
			int seq = ev.type == YAML_SEQUENCE_START_EVENT;
			n = build_node(b, seq ? ev.data.sequence_start.tag
					      : ev.data.mapping_start.tag);
			if (!n) {
				rc = FL_ENOMEM;
				break;
			}
			n->kind = seq ? FL_Y_SEQ : FL_Y_MAP;
			int flow = seq ? ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
				       : ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
			n->style = flow ? FL_YS_FLOW : FL_YS_BLOCK;
			n->span = mk_span(b, ev.start_mark, ev.end_mark);
			const yaml_char_t *anc = seq ? ev.data.sequence_start.anchor
						     : ev.data.mapping_start.anchor;
			struct frame f = {.node = n, .kids_from = b->kids.n};
			if (anc)
				f.anchor = fl_arena_strdup(b->w, (const char *)anc);
			if (FL_VEC_PUSH(b->w, b->stack, f))
				rc = FL_ENOMEM;
			n = NULL;
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			struct frame f = b->stack.v[--b->stack.n];
			n = f.node;
			size_t nk = b->kids.n - f.kids_from;
			if (nk) {
				n->kids = fl_arena_alloc(b->a, nk * sizeof(*n->kids));
				if (!n->kids) {
					rc = FL_ENOMEM;
					n = NULL;
					break;
				}
				memcpy(n->kids, b->kids.v + f.kids_from, nk * sizeof(*n->kids));
			}
			b->kids.n = f.kids_from;
			n->n = (uint32_t)(n->kind == FL_Y_MAP ? nk / 2 : nk);
			n->span.end = mark_off(b, ev.end_mark);
			anchor = f.anchor;
			if (attach(b, n, &root))
				rc = FL_ENOMEM;
			break;
		}
		default:
			break;
		}
		/* The anchor is registered when its node is complete: an alias
		 * inside its own anchored collection is then undefined, so no
		 * cycle can be built. */
		if (n && anchor && anchor_set(b, anchor, n))
			rc = FL_ENOMEM;
		if (n && ++b->nodes > lim->max_nodes && rc == 0) {
			fl_diag(d, FL003, n->span,
				"yaml: more than %u nodes in one file", lim->max_nodes);
			rc = 1;
			done = 1;
		}
		/* a streamed item is handed over once it is complete (and its
		 * own anchor registered) */
		if (b->item && rc == 0 && (rc = deliver(b, b->item)) != 0)
			done = 1;
		yaml_event_delete(&ev);
		if (rc < 0)
			break;
	}
	yaml_parser_delete(&p);
	if (docs) {
		*docs = out.v;
		*ndocs = (uint32_t)out.n;
	}
	return rc;
}

int fl_yaml_parse(fl_arena *a, const fl_source *src, const fl_ylimits *lim,
		  fl_diags *d, fl_ydoc **docs, uint32_t *ndocs)
{
	builder b = {.a = a, .w = a, .src = src, .lim = lim, .d = d,
		     .ascii = all_ascii(src->data, src->len)};
	*docs = NULL;
	*ndocs = 0;
	return build(&b, docs, ndocs);
}

int fl_yaml_stream(const fl_source *src, const fl_ylimits *lim, fl_diags *d,
		   const fl_ysink *sink, uint32_t *delivered)
{
	builder b = {.src = src, .lim = lim, .d = d, .sink = sink,
		     .ascii = all_ascii(src->data, src->len)};
	*delivered = 0;
	b.w = fl_arena_new();
	b.a = fl_arena_new_scratch();
	int rc = b.w && b.a ? build(&b, NULL, NULL) : FL_ENOMEM;
	for (size_t i = 0; i < b.retired.n; i++)
		fl_arena_free(b.retired.v[i]);
	fl_arena_free(b.a);
	fl_arena_free(b.w);
	*delivered = b.delivered;
	return rc;
}

/* ---- copying a subtree out of its tree --------------------------------- */

/* Copy of one node: the struct, its tag and its scalar value. */
static fl_ynode *copy_one(fl_arena *a, const fl_ynode *n)
{
	const char *tag = fl_ynode_tag(n);
	if (tag && !(tag = fl_arena_strdup(a, tag)))
		return NULL;
	fl_ynode *c = new_node(a, tag);
	if (!c)
		return NULL;
	*c = *n;
	if (n->kind == FL_Y_SCALAR && !(c->str = fl_arena_strndup(a, n->str, n->len)))
		return NULL;
	return c;
}

static size_t ptr_hash(const void *p)
{
	uintptr_t v = (uintptr_t)p;
	return (size_t)((v >> 4) ^ (v >> 17)) * 0x9e3779b1u;
}

/* The copy already made of alias target `n`, or NULL. */
static fl_ynode *memo_get(const fl_ycopy *m, const fl_ynode *n)
{
	if (!m->cap)
		return NULL;
	for (size_t j = ptr_hash(n) & (m->cap - 1); m->from[j]; j = (j + 1) & (m->cap - 1))
		if (m->from[j] == n)
			return m->to[j];
	return NULL;
}

static int memo_put(fl_ycopy *m, const fl_ynode *n, fl_ynode *c)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 16;
		const fl_ynode **from = fl_arena_alloc(m->a, ncap * sizeof *from);
		fl_ynode **to = fl_arena_alloc(m->a, ncap * sizeof *to);
		if (!from || !to)
			return FL_ENOMEM;
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->from[i])
				continue;
			size_t j = ptr_hash(m->from[i]) & (ncap - 1);
			while (from[j])
				j = (j + 1) & (ncap - 1);
			from[j] = m->from[i];
			to[j] = m->to[i];
		}
		m->from = from;
		m->to = to;
		m->cap = ncap;
	}
	size_t j = ptr_hash(n) & (m->cap - 1);
	while (m->from[j])
		j = (j + 1) & (m->cap - 1);
	m->from[j] = n;
	m->to[j] = c;
	m->n++;
	return 0;
}

/* The copy of `n`, made now unless it is an alias target copied before. */
static fl_ynode *copy_node(fl_ycopy *m, const fl_ynode *n, int *fresh)
{
	fl_ynode *c = n->is_alias ? memo_get(m, n) : NULL;
	*fresh = !c;
	if (c)
		return c;
	if (!(c = copy_one(m->a, n)))
		return NULL;
	if (n->is_alias && memo_put(m, n, c))
		return NULL;
	return c;
}

fl_ynode *fl_ynode_copy(fl_ycopy *m, const fl_ynode *n)
{
	if (!n)
		return NULL;
	int fresh;
	fl_ynode *root = copy_node(m, n, &fresh);
	if (!root || !fresh || root->kind == FL_Y_SCALAR)
		return root;
	/* Copied collections whose children still point into the old tree,
	 * handled one at a time: an explicit stack, not C recursion, kept in
	 * the memo from call to call (one per exception value). */
	m->todo.n = 0;
	if (FL_VEC_PUSH(m->a, m->todo, root))
		return NULL;
	while (m->todo.n) {
		fl_ynode *c = m->todo.v[--m->todo.n];
		size_t nk = c->kind == FL_Y_MAP ? 2 * (size_t)c->n : c->n;
		if (!nk)
			continue;
		fl_ynode **kids = fl_arena_alloc(m->a, nk * sizeof *kids);
		if (!kids)
			return NULL;
		for (size_t i = 0; i < nk; i++) {
			const fl_ynode *k = c->kids[i];
			if (!(kids[i] = copy_node(m, k, &fresh)))
				return NULL;
			if (fresh && k->kind != FL_Y_SCALAR &&
			    FL_VEC_PUSH(m->a, m->todo, kids[i]))
				return NULL;
		}
		c->kids = kids;
	}
	return root;
}

/* ---- packing subtrees ---------------------------------------------------- */

/* fl_ypack.b holds one record per root (NULL ones included), in order.  A
 * record starts with a tag byte: kind in bits 0-1, style in bits 2-4,
 * is_null in bit 5, PK_RAW in bit 6; kind PK_SPECIAL marks a NULL root
 * (PK_NONE) or a shared node (PK_SHARED, then the bytes of a pointer to
 * its fl_ynode_copy).  A packed node goes on with varints: its start, as
 * the difference from the start of the packed record before (modulo 2^32,
 * so that an earlier start costs 5 bytes and nothing else), end - start,
 * then a scalar's len and its len bytes (none with PK_RAW: the value is
 * the file's text), or a collection's n and the records of its kids. */
enum {
	PK_SPECIAL = 3,
	PK_NONE = PK_SPECIAL,
	PK_SHARED = PK_SPECIAL | 1 << 2,
	PK_NULL = 1 << 5,
	PK_RAW = 1 << 6,
};

/* Where a scalar's text sits in its span: between the quotes of a quoted
 * scalar (what packing and fl_yscalar_text read back as the value). */
static void raw_bounds(unsigned style, uint32_t start, uint32_t end, uint32_t *p,
		       uint32_t *e)
{
	if (style == FL_YS_SINGLE || style == FL_YS_DOUBLE) {
		start++;
		if (end > start)
			end--;
	}
	*p = start;
	*e = end;
}

/* 1 when the value of scalar n is the text of its span in src: no escape,
 * no folded line break, no block scalar. */
static int is_raw(const fl_source *src, const fl_ynode *n)
{
	if (n->style > FL_YS_DOUBLE || n->span.end > src->len)
		return 0;
	uint32_t p, e;
	raw_bounds(n->style, n->span.start, n->span.end, &p, &e);
	return e >= p && e - p == n->len && memcmp(src->data + p, n->str, n->len) == 0;
}

/* Nodes packed as a shared fl_ynode_copy. */
static int is_shared(const fl_source *src, const fl_ynode *n)
{
	return n->is_alias || n->has_tag || n->span.src != src->id ||
	       n->span.end < n->span.start || n->kind > FL_Y_MAP;
}

/* The bytes written so far; with p NULL, only counted. */
typedef struct pk_out {
	unsigned char *p;
	size_t n;
	uint32_t at;   /* start of the last packed node */
} pk_out;

static void pk_byte(pk_out *o, unsigned c)
{
	if (o->p)
		o->p[o->n] = (unsigned char)c;
	o->n++;
}

static void pk_bytes(pk_out *o, const void *b, size_t n)
{
	if (o->p && n)
		memcpy(o->p + o->n, b, n);
	o->n += n;
}

static void pk_uint(pk_out *o, uint32_t v)
{
	for (; v >= 0x80; v >>= 7)
		pk_byte(o, (v & 0x7f) | 0x80);
	pk_byte(o, v);
}

static size_t nkids(const fl_ynode *n)
{
	return n->kind == FL_Y_MAP ? 2 * (size_t)n->n : n->n;
}

/* The record of `n` without its kids' records: 1 when these must follow,
 * 0 when not, or FL_ENOMEM.  Shared nodes are copied when writing only,
 * so that measuring makes no copy. */
static int pk_node(fl_ycopy *m, const fl_source *src, pk_out *o, const fl_ynode *n)
{
	if (!n) {
		pk_byte(o, PK_NONE);
		return 0;
	}
	if (is_shared(src, n)) {
		fl_ynode *c = NULL;
		if (o->p && !(c = fl_ynode_copy(m, n)))
			return FL_ENOMEM;
		pk_byte(o, PK_SHARED);
		pk_bytes(o, &c, sizeof c);
		return 0;
	}
	int raw = n->kind == FL_Y_SCALAR && is_raw(src, n);
	pk_byte(o, n->kind | (unsigned)n->style << 2 | (n->is_null ? PK_NULL : 0) |
			   (raw ? PK_RAW : 0));
	pk_uint(o, n->span.start - o->at);
	pk_uint(o, n->span.end - n->span.start);
	o->at = n->span.start;
	if (n->kind != FL_Y_SCALAR) {
		pk_uint(o, n->n);
		return nkids(n) != 0;
	}
	if (!raw) {
		pk_uint(o, n->len);
		pk_bytes(o, n->str, n->len);
	}
	return 0;
}

/* Every record of the roots, depth first with m->path as the stack (no C
 * recursion: nesting is bounded by the parser's limit only). */
static int pk_walk(fl_ycopy *m, const fl_source *src, pk_out *o,
		   const fl_ynode *const *roots, uint32_t n)
{
	for (uint32_t r = 0; r < n; r++) {
		int more = pk_node(m, src, o, roots[r]);
		if (more <= 0) {
			if (more < 0)
				return more;
			continue;
		}
		m->path.n = 0;
		if (FL_VEC_PUSH(m->a, m->path, ((fl_ypath){roots[r], 0})))
			return FL_ENOMEM;
		while (m->path.n) {
			fl_ypath *top = &m->path.v[m->path.n - 1];
			if (top->i == nkids(top->n)) {
				m->path.n--;
				continue;
			}
			const fl_ynode *k = top->n->kids[top->i++];
			if ((more = pk_node(m, src, o, k)) < 0)
				return more;
			if (more && FL_VEC_PUSH(m->a, m->path, ((fl_ypath){k, 0})))
				return FL_ENOMEM;
		}
	}
	return 0;
}

fl_ypack *fl_ypack_make(fl_ycopy *m, const fl_source *src, const fl_ynode *const *roots,
			uint32_t n)
{
	/* Measured first, then written: the pack is one exact block. */
	pk_out o = {0};
	if (pk_walk(m, src, &o, roots, n))
		return NULL;
	fl_ypack *p = fl_arena_alloc(m->a, sizeof(*p) + o.n);
	if (!p)
		return NULL;
	p->src = src->id;
	p->n = n;
	o = (pk_out){.p = p->b};
	return pk_walk(m, src, &o, roots, n) ? NULL : p;
}

typedef struct pk_in {
	const unsigned char *p;
	uint32_t at;
} pk_in;

static uint32_t pk_get_uint(pk_in *in)
{
	uint32_t v = 0;
	unsigned c, sh = 0;
	do {
		c = *in->p++;
		v |= (uint32_t)(c & 0x7f) << sh;
		sh += 7;
	} while (c & 0x80);
	return v;
}

/* Reads one record into *out (NULL for PK_NONE); *nk gets the number of
 * kid records that follow it. */
static int pk_read(fl_arena *a, const fl_source *src, pk_in *in, fl_ynode **out, size_t *nk)
{
	unsigned t = *in->p++;
	*nk = 0;
	*out = NULL;
	if ((t & 3) == PK_SPECIAL) {
		if (t == PK_SHARED) {
			memcpy(out, in->p, sizeof *out);
			in->p += sizeof *out;
		}
		return 0;
	}
	fl_ynode *n = fl_arena_alloc(a, sizeof *n);
	if (!n)
		return FL_ENOMEM;
	n->kind = (uint8_t)(t & 3);
	n->style = (uint8_t)(t >> 2 & 7);
	n->is_null = !!(t & PK_NULL);
	uint32_t start = in->at + pk_get_uint(in);
	in->at = start;
	n->span = (fl_span){src->id, start, start + pk_get_uint(in)};
	if (n->kind == FL_Y_SCALAR) {
		const char *s;
		uint32_t len;
		if (t & PK_RAW) {
			uint32_t p, e;
			raw_bounds(n->style, n->span.start, n->span.end, &p, &e);
			s = src->data + p;
			len = e - p;
		} else {
			len = pk_get_uint(in);
			s = (const char *)in->p;
			in->p += len;
		}
		if (!(n->str = fl_arena_strndup(a, s, len)))
			return FL_ENOMEM;
		n->len = len;
	} else {
		n->n = pk_get_uint(in);
		*nk = nkids(n);
		if (*nk && !(n->kids = fl_arena_alloc(a, *nk * sizeof *n->kids)))
			return FL_ENOMEM;
	}
	*out = n;
	return 0;
}

/* A collection being rebuilt and the kid read next. */
typedef struct pk_frame {
	fl_ynode *c;
	size_t i, nk;
} pk_frame;

/* The rebuild stack: on the C stack while shallow (exception nodes nest
 * two or three deep), in the arena past that. */
typedef struct pk_stack {
	fl_arena *a;
	pk_frame local[8];
	pk_frame *v;
	size_t n, cap;
} pk_stack;

static int pk_push(pk_stack *st, fl_ynode *c, size_t nk)
{
	if (st->n == st->cap) {
		pk_frame *v = fl_arena_alloc(st->a, 2 * st->cap * sizeof *v);
		if (!v)
			return FL_ENOMEM;
		memcpy(v, st->v, st->n * sizeof *v);
		st->v = v;
		st->cap *= 2;
	}
	st->v[st->n++] = (pk_frame){c, 0, nk};
	return 0;
}

int fl_ypack_unpack(fl_arena *a, const fl_source *src, const fl_ypack *p, fl_ynode **roots)
{
	if (!src || src->id != p->src)
		return FL_EUSAGE;
	pk_in in = {p->b, 0};
	pk_stack st = {.a = a, .cap = sizeof st.local / sizeof st.local[0]};
	st.v = st.local;
	for (uint32_t r = 0; r < p->n; r++) {
		size_t nk;
		int rc = pk_read(a, src, &in, &roots[r], &nk);
		if (rc || (nk && (rc = pk_push(&st, roots[r], nk))))
			return rc;
		while (st.n) {
			pk_frame *f = &st.v[st.n - 1];
			if (f->i == f->nk) {
				st.n--;
				continue;
			}
			fl_ynode *k;
			if ((rc = pk_read(a, src, &in, &k, &nk)))
				return rc;
			f->c->kids[f->i++] = k;
			if (nk && (rc = pk_push(&st, k, nk)))
				return rc;
		}
	}
	return 0;
}

fl_ynode *fl_ymap_get(const fl_ynode *m, const char *key, fl_ynode **keyp)
{
	if (!m || m->kind != FL_Y_MAP)
		return NULL;
	for (uint32_t i = 0; i < m->n; i++) {
		fl_ynode *k = FL_YKEY(m, i);
		if (k->kind == FL_Y_SCALAR && k->str[0] == key[0] && strcmp(k->str, key) == 0) {
			if (keyp)
				*keyp = k;
			return FL_YVAL(m, i);
		}
	}
	return NULL;
}

static unsigned hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned)(c - 'A' + 10);
	return 0;
}

static unsigned utf8_len(unsigned long cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* A double-quoted escape at raw[p] ('\\'): its raw length and the number of
 * decoded bytes it yields (YAML 1.1 escapes, as libyaml decodes them). */
static void dq_escape(const char *raw, uint32_t p, uint32_t e, uint32_t *rawlen,
		      uint32_t *declen)
{
	char c = p + 1 < e ? raw[p + 1] : 0;
	unsigned digits = 0;
	switch (c) {
	case 'x': digits = 2; break;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	case 'N': case '_': *rawlen = 2; *declen = 2; return;
	case 'L': case 'P': *rawlen = 2; *declen = 3; return;
	default: *rawlen = 2; *declen = 1; return;
	}
	unsigned long cp = 0;
	for (unsigned i = 0; i < digits && p + 2 + i < e; i++)
		cp = cp * 16 + hexval(raw[p + 2 + i]);
	*rawlen = 2 + digits;
	*declen = utf8_len(cp);
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Runs being collected for a scalar: on the stack while few (a scalar
 * spans few lines), in the arena past that. */
typedef struct runacc {
	fl_arena *a;
	fl_run local[16];
	fl_run *v;
	size_t n, cap;
	int oom;
} runacc;

/* Byte i of the decoded value is at src:off (i ascending). */
static void run_emit(runacc *r, uint32_t i, uint32_t src, uint32_t off)
{
	if (r->n) {
		fl_run *l = &r->v[r->n - 1];
		if (l->src == src) {
			uint32_t want = l->linear ? l->off + (i - l->at) : l->off;
			if (want == off)
				return;
			if (i == l->at + 1 && (off == l->off || off == l->off + 1)) {
				/* a one-byte run takes the shape of its second byte */
				l->linear = off == l->off + 1;
				return;
			}
		}
	}
	if (r->n == r->cap) {
		size_t cap = r->cap * 2;
		fl_run *v = fl_arena_alloc(r->a, cap * sizeof(*v));
		if (!v) {
			r->oom = 1;
			return;
		}
		memcpy(v, r->v, r->n * sizeof(*v));
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = (fl_run){i, off, src & 0x7fffffffu, 1};
}

/* How many bytes from raw[p] and dec[i] on are equal and plain (no
 * `special` byte: the escape or quote of the style), within e and len. */
static uint32_t same_bytes(const char *raw, uint32_t p, uint32_t e, const char *dec,
			   uint32_t i, uint32_t len, char special)
{
	uint32_t k = 0;
	while (p + k < e && i + k < len && raw[p + k] == dec[i + k] &&
	       raw[p + k] != special)
		k++;
	return k;
}

int fl_yscalar_text(fl_arena *a, const fl_source *src, const fl_ynode *n,
		    fl_text *out)
{
	runacc acc = {.a = a};
	acc.v = acc.local;
	acc.cap = sizeof(acc.local) / sizeof(acc.local[0]);
	const uint32_t id = src->id;
	const char *raw = src->data;
	uint32_t p, e;
	raw_bounds(n->style, n->span.start,
		   n->span.end > src->len ? (uint32_t)src->len : n->span.end, &p, &e);
	if (n->style == FL_YS_LITERAL || n->style == FL_YS_FOLDED) {
		/* the text starts on the line after the indicator */
		while (p < e && raw[p] != '\n')
			p++;
		if (p < e)
			p++;
	}
	const char *dec = n->str;
	if (n->style <= FL_YS_DOUBLE && e >= p && e - p == n->len &&
	    memcmp(raw + p, dec, n->len) == 0) {
		/* The value is the bytes between the quotes (or of the plain
		 * scalar) as they are, the common case: one linear run,
		 * without the walk below. */
		fl_run *one = fl_arena_alloc(a, sizeof(*one));
		if (!one)
			return FL_ENOMEM;
		*one = (fl_run){0, p, id & 0x7fffffffu, 1};
		*out = (fl_text){n->str, n->len, 1, one};
		return 0;
	}
	char special = n->style == FL_YS_DOUBLE ? '\\' : n->style == FL_YS_SINGLE ? '\'' : 0;
	uint32_t lastoff = p;  /* file offset of the last mapped byte + 1 */
	for (uint32_t i = 0; i < n->len; i++) {
		for (;;) {
			if (p >= e) {
				run_emit(&acc, i, id, e);
				lastoff = e + 1;
				break;
			}
			char r = raw[p], c = dec[i];
			if (n->style == FL_YS_DOUBLE && r == '\\') {
				char nx = p + 1 < e ? raw[p + 1] : 0;
				if (nx == '\n' || nx == '\r') {
					/* escaped line break: yields nothing */
					p += 2;
					continue;
				}
				uint32_t rl, dl;
				dq_escape(raw, p, e, &rl, &dl);
				for (uint32_t k = 0; k < dl && i + k < n->len; k++)
					run_emit(&acc, i + k, id, p);
				lastoff = p + 1;
				i += dl - 1;
				p += rl;
				break;
			}
			if (n->style == FL_YS_SINGLE && r == '\'' && p + 1 < e &&
			    raw[p + 1] == '\'') {
				run_emit(&acc, i, id, p);
				lastoff = p + 1;
				p += 2;
				break;
			}
			if (r == c) {
				/* The byte itself, and the bytes after it that
				 * decode to themselves.  Once the first two are
				 * emitted, the last run maps the rest linearly
				 * (run_emit's one-byte rule only looks at the
				 * byte after a run's first), so emitting them
				 * one by one would change nothing. */
				uint32_t k = same_bytes(raw, p, e, dec, i, n->len, special);
				run_emit(&acc, i, id, p);
				if (k > 1)
					run_emit(&acc, i + 1, id, p + 1);
				k = k ? k : 1;
				lastoff = p + k;
				p += k;
				i += k - 1;
				break;
			}
			if ((c == ' ' || c == '\n') && is_ws(r)) {
				/* a line break folded into a space or kept */
				run_emit(&acc, i, id, p);
				lastoff = p + 1;
				p++;
				break;
			}
			if (is_ws(r)) {
				p++;    /* indentation, folded break */
				continue;
			}
			run_emit(&acc, i, id, p);   /* should not happen */
			lastoff = p + 1;
			break;
		}
	}
	/* End position: just past the last mapped byte. */
	uint32_t endoff = n->len ? lastoff : p;
	if (endoff > src->len)
		endoff = (uint32_t)src->len;
	run_emit(&acc, n->len, id, endoff);
	if (acc.oom)
		return FL_ENOMEM;
	fl_run *runs = acc.v;
	if (runs == acc.local) {
		runs = fl_arena_alloc(a, acc.n * sizeof(*runs));
		if (!runs)
			return FL_ENOMEM;
		memcpy(runs, acc.local, acc.n * sizeof(*runs));
	}
	out->s = n->str;
	out->len = n->len;
	out->runs = runs;
	out->nruns = (uint32_t)acc.n;
	return 0;
}
