/* helmwrite.c — the fix in the Falco Helm chart's form: a `customRules`
 * entry (file name → rules text as a |- block), printed on its own or
 * spliced into an existing values.yaml.  The splice is textual, at a place
 * found through the parsed tree's spans, so every other byte of the file
 * (comments, anchors, other keys) stays as it was; the new text itself
 * comes from libyaml's emitter. */
#include <stdio.h>
#include <string.h>

#include "emit.h"
#include "fix.h"

#define DEFAULT_ENTRY "falco-lint-fixes.yaml"

typedef FL_VEC(char) cbuf;

/* The rules text without its final newline, so the emitter picks |-. */
static fl_ynode *block_scalar(fl_arena *a, const char *rules)
{
	size_t n = strlen(rules);
	while (n && rules[n - 1] == '\n')
		n--;
	char *t = fl_arena_strndup(a, rules, n);
	return t ? fl_ynew_scalar(a, t, FL_YS_LITERAL) : NULL;
}

static int entry_map(fl_arena *a, const char *entry, const char *rules, fl_ynode **out)
{
	fl_ynode *m = fl_ynew_map(a, FL_YS_BLOCK);
	if (!m || fl_ymap_put(a, m, entry, block_scalar(a, rules)))
		return FL_ENOMEM;
	*out = m;
	return 0;
}

int fl_helm_entry_text(fl_fix *f, const char *entry, const char *rules, char **out,
		       size_t *len)
{
	fl_arena *a = f->a;
	fl_ynode *inner, *top = fl_ynew_map(a, FL_YS_BLOCK);
	if (!top || entry_map(a, entry, rules, &inner) || fl_ymap_put(a, top, "customRules", inner))
		return FL_ENOMEM;
	return fl_yaml_emit(a, top, out, len);
}

/* text with every non-empty line indented by `ind` spaces, into b. */
static int indent_into(fl_arena *a, cbuf *b, const char *text, size_t ind)
{
	int bol = 1;
	for (const char *p = text; *p; p++) {
		if (bol && *p != '\n')
			for (size_t i = 0; i < ind; i++)
				if (FL_VEC_PUSH(a, *b, ' '))
					return FL_ENOMEM;
		if (FL_VEC_PUSH(a, *b, *p))
			return FL_ENOMEM;
		bol = *p == '\n';
	}
	return 0;
}

static int push_bytes(fl_arena *a, cbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (FL_VEC_PUSH(a, *b, s[i]))
			return FL_ENOMEM;
	return 0;
}

static size_t column_of(const char *data, size_t off)
{
	size_t c = 0;
	while (off > 0 && data[off - 1] != '\n')
		off--, c++;
	return c;
}

static size_t line_end(const char *data, size_t len, size_t off)
{
	while (off < len && data[off] != '\n')
		off++;
	return off;
}

/* A customRules key not used yet: NAME, else NAME-2.yaml, NAME-3.yaml … */
static const char *free_entry(fl_arena *a, const fl_ynode *cr, const char *base)
{
	if (!cr || cr->kind != FL_Y_MAP || !fl_ymap_get(cr, base, NULL))
		return base;
	const char *dot = strrchr(base, '.');
	size_t stem = dot ? (size_t)(dot - base) : strlen(base);
	for (int k = 2; k < 1000; k++) {
		const char *n = fl_arena_printf(a, "%.*s-%d%s", (int)stem, base, k, dot ? dot : "");
		if (!n || !fl_ymap_get(cr, n, NULL))
			return n;
	}
	return NULL;
}

int fl_helm_merge(fl_fix *f, const char *name, const char *old, size_t oldlen,
		  char **out, size_t *outlen, int *changed, const char **err)
{
	fl_arena *a = f->a;
	fl_ynode *root, *key = NULL, *cr = NULL;
	int rc = fl_fix_parse_yaml(a, name, old, oldlen, &root, err);
	if (rc)
		return rc;
	if (root && root->kind == FL_Y_SCALAR && root->is_null)
		root = NULL;
	if (root && (root->kind != FL_Y_MAP || root->style == FL_YS_FLOW ||
		     column_of(old, root->span.start) != 0)) {
		*err = fl_arena_printf(a, "%s: cannot merge into it: its top level is not a block "
				       "map at column 1", name);
		return FL_EUSAGE;
	}
	if (root)
		cr = fl_ymap_get(root, "customRules", &key);
	/* entries already in any customRules file are not added again */
	for (uint32_t i = 0; cr && cr->kind == FL_Y_MAP && i < cr->n; i++) {
		const fl_ynode *v = FL_YVAL(cr, i);
		fl_ynode *er;
		const char *e2;
		if (v->kind != FL_Y_SCALAR || v->is_null)
			continue;
		rc = fl_fix_parse_yaml(a, "customRules entry", v->str, v->len, &er, &e2);
		if (rc == FL_ENOMEM)
			return rc;
		if (!rc && er && er->kind == FL_Y_SEQ)
			fl_fix_mark_present(f, er->kids, er->n);
	}
	size_t tlen;
	char *text = fl_fix_entries_text(f, &tlen);
	if (!text)
		return FL_ENOMEM;
	if (!tlen) {
		*out = fl_arena_strndup(a, old, oldlen);
		*outlen = oldlen;
		return *out ? 0 : FL_ENOMEM;
	}
	const char *entry = free_entry(a, cr, f->o.helm_entry ? f->o.helm_entry : DEFAULT_ENTRY);
	if (!entry)
		return FL_ENOMEM;
	cbuf b = {0};
	char *piece;
	size_t plen;
	if (!cr) {
		/* no customRules yet: the whole map goes at the end */
		if ((rc = fl_helm_entry_text(f, entry, text, &piece, &plen)))
			return rc;
		if (push_bytes(a, &b, old, oldlen) ||
		    (oldlen && old[oldlen - 1] != '\n' && FL_VEC_PUSH(a, b, '\n')) ||
		    push_bytes(a, &b, piece, plen))
			return FL_ENOMEM;
	} else {
		fl_ynode *inner;
		if (entry_map(a, entry, text, &inner) || (rc = fl_yaml_emit(a, inner, &piece, &plen)))
			return rc ? rc : FL_ENOMEM;
		size_t kcol = column_of(old, key->span.start);
		int empty = (cr->kind == FL_Y_SCALAR && cr->is_null) ||
			    (cr->kind == FL_Y_MAP && cr->n == 0 && cr->style == FL_YS_FLOW);
		size_t cut, resume, at;
		size_t ind;
		if (empty) {
			/* `customRules: {}` / `customRules:`: the value is
			 * dropped, the rest of its line (a comment) kept */
			cut = cr->span.end > cr->span.start ? cr->span.start : key->span.end;
			resume = cr->span.end > cr->span.start ? cr->span.end : key->span.end;
			while (cut > key->span.end && (old[cut - 1] == ' ' || old[cut - 1] == '\t'))
				cut--;
			at = line_end(old, oldlen, resume);
			ind = kcol + 2;
		} else if (cr->kind == FL_Y_MAP && cr->style != FL_YS_FLOW && cr->n) {
			/* after the line that holds the end of the last entry */
			const fl_ynode *last = FL_YVAL(cr, cr->n - 1);
			size_t p = last->span.end;
			while (p > last->span.start && strchr(" \t\r\n", old[p - 1]))
				p--;
			cut = resume = at = line_end(old, oldlen, p);
			ind = column_of(old, FL_YKEY(cr, 0)->span.start);
		} else {
			*err = fl_arena_printf(a, "%s: cannot merge into it: customRules is not a block "
					       "map of file names to rules text", name);
			return FL_EUSAGE;
		}
		if (push_bytes(a, &b, old, cut) ||
		    push_bytes(a, &b, old + resume, at - resume) ||
		    FL_VEC_PUSH(a, b, '\n') || indent_into(a, &b, piece, ind))
			return FL_ENOMEM;
		size_t rest = at < oldlen ? at + 1 : oldlen;
		if (push_bytes(a, &b, old + rest, oldlen - rest))
			return FL_ENOMEM;
	}
	if (FL_VEC_PUSH(a, b, '\0'))
		return FL_ENOMEM;
	*out = b.v;
	*outlen = b.n - 1;
	*changed = 1;
	/* The result must read back with the new entry holding the text and
	 * every other top-level key still there. */
	fl_ynode *nr;
	const char *e2 = NULL;
	rc = fl_fix_parse_yaml(a, name, *out, *outlen, &nr, &e2);
	if (rc == FL_ENOMEM)
		return rc;
	fl_ynode *ncr = !rc && nr && nr->kind == FL_Y_MAP ? fl_ymap_get(nr, "customRules", NULL) : NULL;
	fl_ynode *ne = ncr && ncr->kind == FL_Y_MAP ? fl_ymap_get(ncr, entry, NULL) : NULL;
	size_t tl = tlen;
	while (tl && text[tl - 1] == '\n')
		tl--;
	if (!ne || ne->kind != FL_Y_SCALAR || ne->len != tl || memcmp(ne->str, text, tl) ||
	    nr->n != (root ? root->n : 0) + (cr ? 0 : 1)) {
		*err = fl_arena_printf(a, "%s: cannot merge into it: the new customRules entry would "
				       "not read back as written", name);
		return FL_EUSAGE;
	}
	return 0;
}
