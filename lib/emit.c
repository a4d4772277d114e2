/* emit.c — fl_ynode trees → YAML text through libyaml's emitter.  The tree
 * is walked with an explicit stack: trees built here are small, but the
 * emitter must not depend on C recursion depth either. */
#include "emit.h"

#include <string.h>
#include <yaml.h>

#include "falcolint.h"

fl_ynode *fl_ynew_scalar(fl_arena *a, const char *s, fl_ystyle style)
{
	fl_ynode *n = fl_arena_alloc(a, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = FL_Y_SCALAR;
	n->style = style;
	n->str = fl_arena_strdup(a, s);
	n->len = n->str ? (uint32_t)strlen(n->str) : 0;
	return n->str ? n : NULL;
}

static fl_ynode *new_coll(fl_arena *a, fl_ykind kind, fl_ystyle style)
{
	fl_ynode *n = fl_arena_alloc(a, sizeof(*n));
	if (n) {
		n->kind = kind;
		n->style = style;
	}
	return n;
}

fl_ynode *fl_ynew_seq(fl_arena *a, fl_ystyle style)
{
	return new_coll(a, FL_Y_SEQ, style);
}

fl_ynode *fl_ynew_map(fl_arena *a, fl_ystyle style)
{
	return new_coll(a, FL_Y_MAP, style);
}

static int push_kid(fl_arena *a, fl_ynode *c, fl_ynode *k, uint32_t count)
{
	fl_ynode **kids = fl_arena_realloc(a, c->kids, sizeof(fl_ynode *) * count,
					   sizeof(fl_ynode *) * (count + 1));
	if (!kids)
		return FL_ENOMEM;
	kids[count] = k;
	c->kids = kids;
	return 0;
}

int fl_yseq_push(fl_arena *a, fl_ynode *seq, fl_ynode *item)
{
	if (!item || push_kid(a, seq, item, seq->n))
		return FL_ENOMEM;
	seq->n++;
	return 0;
}

int fl_ymap_put(fl_arena *a, fl_ynode *map, const char *key, fl_ynode *value)
{
	fl_ynode *k = fl_ynew_scalar(a, key, FL_YS_PLAIN);
	if (!k || !value || push_kid(a, map, k, 2 * map->n) ||
	    push_kid(a, map, value, 2 * map->n + 1))
		return FL_ENOMEM;
	map->n++;
	return 0;
}

struct sink {
	fl_arena *a;
	FL_VEC(char) buf;
	int oom;
};

static int write_cb(void *data, unsigned char *bytes, size_t size)
{
	struct sink *s = data;
	for (size_t i = 0; i < size; i++)
		if (FL_VEC_PUSH(s->a, s->buf, (char)bytes[i])) {
			s->oom = 1;
			return 0;
		}
	return 1;
}

static yaml_scalar_style_t scalar_style(fl_ystyle s)
{
	switch (s) {
	case FL_YS_SINGLE: return YAML_SINGLE_QUOTED_SCALAR_STYLE;
	case FL_YS_DOUBLE: return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	case FL_YS_LITERAL: return YAML_LITERAL_SCALAR_STYLE;
	case FL_YS_FOLDED: return YAML_FOLDED_SCALAR_STYLE;
	default: return YAML_ANY_SCALAR_STYLE;
	}
}

struct walk {
	const fl_ynode *node;
	uint32_t next;    /* next kid to visit */
};

int fl_yaml_emit(fl_arena *a, const fl_ynode *root, char **out, size_t *len)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	struct sink sink = {.a = a};
	FL_VEC(struct walk) stack = {0};
	int rc = 0;

	if (!yaml_emitter_initialize(&em))
		return FL_ENOMEM;
	yaml_emitter_set_output(&em, write_cb, &sink);
	yaml_emitter_set_unicode(&em, 1);
	/* Long conditions stay on one line: folded plain scalars read back the
	 * same but are hard to review. */
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_indent(&em, 2);

#define EMIT()                                         \
	do {                                           \
		if (!yaml_emitter_emit(&em, &ev)) {    \
			rc = sink.oom ? FL_ENOMEM : FL_EUSAGE; \
			goto out;                      \
		}                                      \
	} while (0)

	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	EMIT();
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	EMIT();
	if (FL_VEC_PUSH(a, stack, ((struct walk){root, 0}))) {
		rc = FL_ENOMEM;
		goto out;
	}
	int entering = 1;
	while (stack.n) {
		struct walk *w = &stack.v[stack.n - 1];
		const fl_ynode *n = w->node;
		if (n->kind == FL_Y_SCALAR) {
			yaml_scalar_style_t st = scalar_style(n->style);
			int plain_ok = n->style == FL_YS_PLAIN;
			yaml_scalar_event_initialize(&ev, NULL, NULL,
						     (yaml_char_t *)(uintptr_t)n->str,
						     (int)n->len, plain_ok, 1, st);
			EMIT();
			stack.n--;
			continue;
		}
		if (entering && w->next == 0) {
			int flow = n->style == FL_YS_FLOW;
			if (n->kind == FL_Y_SEQ)
				yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
					flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
			else
				yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
					flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
			EMIT();
		}
		uint32_t nk = n->kind == FL_Y_MAP ? 2 * n->n : n->n;
		if (w->next < nk) {
			const fl_ynode *k = n->kids[w->next++];
			entering = 1;
			if (FL_VEC_PUSH(a, stack, ((struct walk){k, 0}))) {
				rc = FL_ENOMEM;
				goto out;
			}
			continue;
		}
		if (n->kind == FL_Y_SEQ)
			yaml_sequence_end_event_initialize(&ev);
		else
			yaml_mapping_end_event_initialize(&ev);
		EMIT();
		stack.n--;
		entering = 0;
	}
	yaml_document_end_event_initialize(&ev, 1);
	EMIT();
	yaml_stream_end_event_initialize(&ev);
	EMIT();
	if (FL_VEC_PUSH(a, sink.buf, '\0'))
		rc = FL_ENOMEM;
out:
#undef EMIT
	yaml_emitter_delete(&em);
	if (rc == 0) {
		*out = sink.buf.v;
		*len = sink.buf.n - 1;
	}
	return rc;
}
