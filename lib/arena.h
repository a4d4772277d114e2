/* arena.h — bump allocator that owns every node, string and diagnostic of a
 * loaded ruleset.  Nothing allocated from an arena is freed one by one:
 * fl_arena_free() releases all of it in one call. */
#ifndef FL_ARENA_H
#define FL_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct fl_arena fl_arena;

/* Creates an empty arena; NULL when out of memory. */
fl_arena *fl_arena_new(void);
/* Releases the arena and everything allocated from it; NULL is a no-op. */
void fl_arena_free(fl_arena *a);
/* An arena for scratch work, reset between items (a rule's texts and
 * tree, a YAML item): only its chunks of 1 MB or more are whole 2 MB huge
 * pages, so that the few hundred KB it holds at a time cost that much
 * resident memory, while a large item still faults in few pages.  Freed
 * with fl_arena_free. */
fl_arena *fl_arena_new_scratch(void);
/* Forgets everything allocated, keeping the memory for what comes next
 * (cleared again: allocations stay zeroed).  A scratch arena reset between
 * items reuses warm pages instead of freeing and re-clearing new ones. */
void fl_arena_reset(fl_arena *a);
/* Returns n zeroed bytes aligned to 8 (enough for pointers, 64-bit integers
 * and double, not for long double or 16-byte vector types), or NULL when out
 * of memory. */
void *fl_arena_alloc(fl_arena *a, size_t n);
/* Resizes an allocation of oldn bytes made from the arena; new bytes are
 * zeroed.  The last block handed out grows in place when its chunk has room
 * (the same pointer comes back); any other is copied (min(oldn, newn)
 * bytes) and stays allocated until the arena is freed.  Use only the
 * result afterwards. */
void *fl_arena_realloc(fl_arena *a, void *old, size_t oldn, size_t newn);
/* NUL-terminated copy of s[0..n).  Strings (these and the printf ones) are
 * packed apart from other blocks, with no alignment. */
char *fl_arena_strndup(fl_arena *a, const char *s, size_t n);
char *fl_arena_strdup(fl_arena *a, const char *s);
/* printf into the arena. */
char *fl_arena_printf(fl_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *fl_arena_vprintf(fl_arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Bytes handed out so far (for limits and benchmarks). */
size_t fl_arena_used(const fl_arena *a);

/* A growable array living in an arena: `FL_VEC(T) v = {0};` then
 * FL_VEC_PUSH(arena, v, item) — evaluates to 0, or -1 when out of memory. */
#define FL_VEC(T) struct { T *v; size_t n, cap; }
#define FL_VEC_PUSH(a, vec, item)                                            \
	(((vec).n == (vec).cap &&                                            \
	  fl_vec_grow_((a), (void **)&(vec).v, &(vec).cap, sizeof(*(vec).v)))  \
		 ? -1                                                        \
		 : ((vec).v[(vec).n++] = (item), 0))
int fl_vec_grow_(fl_arena *a, void **v, size_t *cap, size_t elem);

/* Makes room for `extra` more elements in an FL_VEC whose final size the
 * caller knows: an empty vector gets exactly that capacity (most items
 * have one contribution, a handful of tags, a few list items), a full one
 * at least doubles so that repeated appends stay linear.  FL_VEC_PUSH
 * alone starts at 1-8 elements and doubles, which leaves every
 * outgrown copy dead in the arena.  0 or -1 when out of memory. */
#define FL_VEC_RESERVE(a, vec, extra)                                        \
	fl_vec_reserve_((a), (void **)&(vec).v, (vec).n, &(vec).cap, (extra), \
			sizeof(*(vec).v))
int fl_vec_reserve_(fl_arena *a, void **v, size_t n, size_t *cap, size_t extra,
		    size_t elem);

#endif
