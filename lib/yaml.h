/* yaml.h — a YAML document tree built from libyaml's event stream, with the
 * exact span of every node.  Aliases share the anchored node (no copies, so
 * an alias bomb costs nothing); limits bound depth and size.  Only yaml.c and
 * emit.c include <yaml.h>. */
#ifndef FL_YAML_H
#define FL_YAML_H

#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "source.h"

typedef enum fl_ykind { FL_Y_SCALAR, FL_Y_SEQ, FL_Y_MAP } fl_ykind;

typedef enum fl_ystyle {
	FL_YS_PLAIN,
	FL_YS_SINGLE,
	FL_YS_DOUBLE,
	FL_YS_LITERAL,
	FL_YS_FOLDED,
	FL_YS_FLOW,  /* flow collection [..] / {..} */
	FL_YS_BLOCK  /* block collection */
} fl_ystyle;

typedef struct fl_ynode fl_ynode;
/* One node per scalar and collection of the file (a 10k-rule file has
 * ~400k), so the layout is kept at 32 bytes: small enums in bytes, flags
 * in bits, the rare explicit tag outside the node (fl_ynode_tag), and str
 * sharing its place with kids.  Check `kind` before reading either: str
 * of a collection is not NULL.  len of a collection and n of a scalar are
 * 0. */
struct fl_ynode {
	fl_span span;         /* start mark .. end mark */
	uint8_t kind;         /* fl_ykind */
	uint8_t style;        /* fl_ystyle */
	unsigned is_null : 1;  /* plain scalar "", "~", "null", "Null", "NULL" */
	unsigned is_alias : 1; /* reached through *alias (this is the target) */
	unsigned has_tag : 1;  /* explicit tag: see fl_ynode_tag */
	union {
		const char *str;  /* scalar: decoded value (NUL-terminated) */
		fl_ynode **kids;  /* seq: n items; map: keys and values interleaved */
	};
	uint32_t len;         /* scalar: byte length of str */
	uint32_t n;           /* seq: items; map: pairs (kids has 2n entries) */
};

#define FL_YKEY(m, i) ((m)->kids[2 * (i)])
#define FL_YVAL(m, i) ((m)->kids[2 * (i) + 1])

typedef struct fl_ydoc {
	fl_ynode *root;       /* NULL for an empty document */
	fl_span span;
} fl_ydoc;

typedef struct fl_ylimits {
	uint32_t max_depth;   /* nesting of collections */
	uint32_t max_nodes;   /* nodes per file */
	uint32_t max_aliases; /* alias events per file */
} fl_ylimits;

/* Parses the whole stream of `src`.  Stores the documents in *docs / *ndocs.
 * On a syntax error or a hit limit, adds one diagnostic to `d` and returns
 * 1; documents completed before the error are still returned (Falco reads
 * nothing of such a file, but callers may want them). */
int fl_yaml_parse(fl_arena *a, const fl_source *src, const fl_ylimits *lim,
		  fl_diags *d, fl_ydoc **docs, uint32_t *ndocs);

/* Where fl_yaml_stream hands the documents: item() gets every element of a
 * document whose root is a sequence, as soon as it is complete; doc() every
 * document whose root is not a sequence (or is empty), whole.  Both are
 * called in file order and return 0, or a negative FL_E* that stops the
 * stream and is returned by it. */
typedef struct fl_ysink {
	int (*item)(void *ctx, const fl_ynode *item);
	int (*doc)(void *ctx, const fl_ydoc *doc);
	void *ctx;
} fl_ysink;

/* Parses `src` like fl_yaml_parse, but hands the file to `sink` item by
 * item: the tree of an item, values and tags included, lives only during
 * its item() call (nodes reachable from a later alias excepted), so memory
 * does not grow with the file; a sink copies what it keeps.  Returns 0, 1 after a syntax error or a hit limit (one diagnostic added
 * to `d`, after the items before it were delivered), FL_ENOMEM, or the
 * negative value of a sink call.  *delivered gets the number of item() calls that
 * returned 0. */
int fl_yaml_stream(const fl_source *src, const fl_ylimits *lim, fl_diags *d,
		   const fl_ysink *sink, uint32_t *delivered);

/* A collection being packed and the index of its next kid. */
typedef struct fl_ypath {
	const fl_ynode *n;
	size_t i;
} fl_ypath;

/* Copies of subtrees made into arena `a` (zero it, then set `a`).  The
 * memo maps alias targets to their copy, so that a subtree reached through
 * many aliases is copied once: copying stays linear in the source of the
 * tree, however it is shared.  Use one per tree. */
typedef struct fl_ycopy {
	fl_arena *a;
	const fl_ynode **from;
	fl_ynode **to;
	size_t n, cap;
	FL_VEC(fl_ynode *) todo;  /* fl_ynode_copy's work stack */
	FL_VEC(fl_ypath) path;    /* fl_ypack_make's: one frame per level */
} fl_ycopy;

/* A copy of the subtree at `n` in m->a, values and tags included, which
 * outlives n's tree.  NULL for n == NULL, or on OOM. */
fl_ynode *fl_ynode_copy(fl_ycopy *m, const fl_ynode *n);

/* Subtrees kept for long but read seldom (a rule's exception nodes: the
 * compiler reads them a few times per run) packed into bytes: a node takes
 * a few bytes instead of 32 plus its slot in a kids array, and a scalar
 * whose value is its text in the file (no escape, no folded line: most)
 * keeps no copy of it but is read from the file again when unpacked (a
 * session keeps the text of its sources to the end).  A node
 * fl_ypack_make cannot pack that way (an alias target, a tagged node, a
 * node of another file) is kept as an fl_ynode_copy, shared by every pack
 * made through the same fl_ycopy, so that packing stays linear however
 * often aliases repeat a subtree. */
typedef struct fl_ypack {
	uint32_t src;          /* source id of the packed nodes */
	uint32_t n;            /* roots */
	unsigned char b[];     /* the nodes, in preorder (see yaml.c) */
} fl_ypack;

/* Packs roots[0..n) (NULL entries allowed) of a tree read from `src` into
 * one block of m->a.  NULL on OOM. */
fl_ypack *fl_ypack_make(fl_ycopy *m, const fl_source *src,
			const fl_ynode *const *roots, uint32_t n);

/* Rebuilds the roots of `p` as nodes in arena `a` (scratch: they live as
 * long as it, and nothing else refers to them) into roots[0..p->n), equal
 * to the packed ones in span, kind, style, null flag, value and kids;
 * `src` is the source p->src names.  0 or FL_ENOMEM. */
int fl_ypack_unpack(fl_arena *a, const fl_source *src, const fl_ypack *p,
		    fl_ynode **roots);

/* The explicit tag of `n` ("!foo", "tag:yaml.org,2002:str"), or NULL when
 * it has none.  Only nodes built by fl_yaml_parse carry tags. */
const char *fl_ynode_tag(const fl_ynode *n);

/* Value of the first key `key` of map `m` (as Falco's lookup sees it), or
 * NULL when absent; *keyp receives the key node when not NULL. */
fl_ynode *fl_ymap_get(const fl_ynode *m, const char *key, fl_ynode **keyp);

/* Map every byte of a scalar's decoded value back to the file: returns an
 * fl_text whose pos[] has len+1 entries.  Works for every scalar style:
 * plain and quoted multi-line scalars, escapes, literal and folded blocks. */
int fl_yscalar_text(fl_arena *a, const fl_source *src, const fl_ynode *n,
		    fl_text *out);

#endif
