/* arena.c — bump allocator: large chunks carved front to back, freed at once. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CHUNK_FIRST (4u * 1024u)
#define CHUNK_MIN (64u * 1024u)
#define CHUNK_MAX ((size_t)64 << 20)
/* 8, not _Alignof(max_align_t) (16): nothing the project stores needs more
 * than a pointer, uint64_t or double, and rounding every node and string
 * to 16 bytes cost 3% of the arena. */
#define ALIGN 8u
_Static_assert(_Alignof(void *) <= ALIGN && _Alignof(uint64_t) <= ALIGN &&
		       _Alignof(double) <= ALIGN && _Alignof(size_t) <= ALIGN,
	       "arena alignment too small for the types it holds");

/* Large chunks are mapped on their own, aligned for transparent huge
 * pages of this size: a 7 MB rules file fills tens of MB of arena, and
 * faulting that in 4 KB pages cost about a third of the run time. */
#define HUGE_PAGE ((size_t)2 << 20)
/* From this size a chunk is a whole number of huge pages: one 4 KB page
 * fault costs tens of microseconds on a virtual machine, and a 0.7 MB
 * rules file's arena spent most of its run time faulting in small pages. */
#define HUGE_FROM ((size_t)256 << 10)
/* Chunks of an arena this large are larger than one huge page. */
#define GROW_FROM ((size_t)64 << 20)

/* Under AddressSanitizer a reset frees its chunks instead of keeping them:
 * a pointer that outlives a reset (into a streamed YAML item, a scratch
 * parse) is then a use after free the tests report, not a silent read of
 * cleared or reused memory. */
#if defined(__SANITIZE_ADDRESS__)
#define RESET_FREES 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RESET_FREES 1
#endif
#endif

/* A chunk is carved from both ends: blocks from the front (used), strings
 * from the back (back), so that one partly filled chunk, not one per kind,
 * ends the arena: with huge pages, a partly filled chunk costs a whole
 * 2 MB page. */
struct chunk {
	struct chunk *next;
	size_t size, used, back;
	size_t mapped;        /* bytes mmap'ed for it, or 0 when malloc'ed */
	_Alignas(16) unsigned char data[];
};

/* A zeroed chunk with room for `size` bytes, or NULL.  From HUGE_FROM on
 * it is mapped on its own (zeroed by the kernel, not by calloc's memset),
 * as whole huge pages when `huge` is set. */
static struct chunk *chunk_new(size_t size, int huge)
{
	struct chunk *c;
	if (!huge && size >= HUGE_FROM && size <= SIZE_MAX - 2 * HUGE_PAGE) {
		size_t len = (sizeof(*c) + size + 4095) & ~(size_t)4095;
		void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		c = m;
		c->mapped = len;
		c->size = len - sizeof(*c);
		return c;
	}
	if (size >= HUGE_FROM && size <= SIZE_MAX - 2 * HUGE_PAGE) {
		/* Map one huge page more than needed and unmap the ends, so
		 * that the chunk starts on a huge page boundary. */
		size_t len = (sizeof(*c) + size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		unsigned char *m = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		size_t lead = (HUGE_PAGE - (uintptr_t)m % HUGE_PAGE) % HUGE_PAGE;
		if (lead)
			munmap(m, lead);
		if (HUGE_PAGE - lead)
			munmap(m + lead + len, HUGE_PAGE - lead);
		c = (struct chunk *)(void *)(m + lead);
#ifdef MADV_HUGEPAGE
		/* Only a hint: without THP the chunk works in small pages. */
		madvise(c, len, MADV_HUGEPAGE);
#endif
		c->mapped = len;
		c->size = len - sizeof(*c);
		return c;
	}
	/* calloc: a fresh chunk comes zeroed from the kernel, and a bump
	 * allocator never hands out a byte twice, so no memset later —
	 * zeroing in user space touched every page twice (about 30% of the
	 * run time on a 7 MB rules file). */
	c = calloc(1, sizeof(*c) + size);
	if (c)
		c->size = size;
	return c;
}

/* The chunks, carved from the first: aligned blocks from its front,
 * strings from its back, where they need no alignment and are packed end
 * to end (a string among nodes would be padded to 8). */
struct fl_arena {
	struct chunk *head;
	struct chunk *spare;  /* cleared chunks kept by fl_arena_reset */
	size_t total;
	int scratch;          /* fl_arena_new_scratch: small chunks only */
};

fl_arena *fl_arena_new(void)
{
	return calloc(1, sizeof(fl_arena));
}

fl_arena *fl_arena_new_scratch(void)
{
	fl_arena *a = fl_arena_new();
	if (a)
		a->scratch = 1;
	return a;
}

static void free_chunks(struct chunk *c)
{
	while (c) {
		struct chunk *next = c->next;
		if (c->mapped)
			munmap(c, c->mapped);
		else
			free(c);
		c = next;
	}
}

void fl_arena_free(fl_arena *a)
{
	if (!a)
		return;
	free_chunks(a->head);
	free_chunks(a->spare);
	free(a);
}

static size_t room(const struct chunk *c)
{
	return c->size - c->used - c->back;
}

/* A chunk with room for n more bytes when the first has none: a new one
 * (or a spare) made the first, or, for a large block, put behind the
 * first, which keeps its room.  NULL when out of memory.  Apart from
 * carve() so that carving from the first chunk stays a few instructions
 * (the arena hands out millions of blocks). */
__attribute__((noinline)) static struct chunk *chunk_for(fl_arena *a, size_t n)
{
	struct chunk **list = &a->head;
	struct chunk *c;
	/* A young arena starts with small chunks that double as it
	 * grows: calloc clears a reused block in full, and scratch
	 * arenas made for one call (a list substitution) used to
	 * clear 64 KB each to hold a few hundred bytes. */
	size_t least = a->total < CHUNK_FIRST ? CHUNK_FIRST
		     : a->total < CHUNK_MIN ? a->total : CHUNK_MIN;
	size_t size = n > least ? n : (least + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	/* Grow chunk size with the arena so huge inputs need few mallocs.
	 * Not for a large request: its chunk goes behind the head, where
	 * the rest of a grown chunk would never be used (a 64 MB
	 * reservation per 100 KB request blew ulimit -v).  Capped at
	 * CHUNK_MAX, not dropped back to CHUNK_MIN past it: 64 KB chunks
	 * after 256 MB of arena cost a 100k-rule file 200k page faults. */
	if (n <= CHUNK_MIN && a->total / 4 > size) {
		size = a->total / 4 < CHUNK_MAX ? a->total / 4 : CHUNK_MAX;
		size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	}
	/* Past HUGE_FROM (not in scratch arenas), whole huge pages:
	 * one while the arena is below GROW_FROM, so that it ends in
	 * one partly filled page (a 7 MB rules file's arena ended in
	 * two partly filled chunks of a quarter of the arena, one
	 * for blocks and one for strings); past it, a quarter of the
	 * arena again, so that vectors of a few hundred KB still fit
	 * in the current chunk. */
	if (n <= CHUNK_MIN && a->total >= HUGE_FROM && !a->scratch) {
		size_t pages = a->total >= GROW_FROM ? a->total / 4 / HUGE_PAGE : 1;
		size = (pages ? pages : 1) * HUGE_PAGE - sizeof(struct chunk);
		if (size > CHUNK_MAX)
			size = CHUNK_MAX - sizeof(struct chunk);
	}
	/* a spare chunk that fits, else a new one */
	struct chunk **sp = &a->spare;
	while (*sp && (*sp)->size < size)
		sp = &(*sp)->next;
	if (*sp) {
		c = *sp;
		*sp = c->next;
	} else if (!(c = chunk_new(size, size >= HUGE_PAGE / 2))) {
		/* huge pages from 1 MB on only: a 256 KB table in a
		 * chunk of its own faulted in a whole 2 MB page */
		return NULL;
	}
	if (*list && n > CHUNK_MIN) {
		/* Keep the current chunk in front: it still has room. */
		c->next = (*list)->next;
		(*list)->next = c;
	} else {
		c->next = *list;
		*list = c;
	}
	return c;
}

/* n bytes (already rounded for a block) from the front of the first chunk,
 * or from its back for a string (`text`), or from chunk_for()'s. */
static void *carve(fl_arena *a, size_t n, int text)
{
	struct chunk *c = a->head;
	if ((!c || room(c) < n) && !(c = chunk_for(a, n)))
		return NULL;
	void *p;
	if (text) {
		c->back += n;
		p = c->data + c->size - c->back;
	} else {
		p = c->data + c->used;
		c->used += n;
	}
	a->total += n;
	return p;
}

#ifndef RESET_FREES
/* Moves the chunks of *list to the spare list, cleared. */
static void spare_chunks(fl_arena *a, struct chunk **list)
{
	while (*list) {
		struct chunk *c = *list;
		*list = c->next;
		memset(c->data, 0, c->used);
		memset(c->data + c->size - c->back, 0, c->back);
		c->used = c->back = 0;
		c->next = a->spare;
		a->spare = c;
	}
}
#endif

void fl_arena_reset(fl_arena *a)
{
#ifdef RESET_FREES
	free_chunks(a->head);
	a->head = NULL;
#else
	spare_chunks(a, &a->head);
#endif
	a->total = 0;
}

void *fl_arena_alloc(fl_arena *a, size_t n)
{
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ALIGN)
		return NULL;
	return carve(a, (n + ALIGN - 1) & ~(size_t)(ALIGN - 1), 0);
}

/* n zeroed bytes with no alignment, for strings. */
static char *alloc_text(fl_arena *a, size_t n)
{
	return carve(a, n ? n : 1, 1);
}

void *fl_arena_realloc(fl_arena *a, void *old, size_t oldn, size_t newn)
{
	/* The last block of the current chunk grows in place: a vector filled
	 * with nothing allocated in between leaves no dead copies behind.  The
	 * bytes past `used` are still zero from chunk_new. */
	struct chunk *c = a->head;
	if (old && c && oldn && newn >= oldn && newn <= SIZE_MAX - ALIGN) {
		size_t ro = (oldn + ALIGN - 1) & ~(size_t)(ALIGN - 1);
		size_t rn = (newn + ALIGN - 1) & ~(size_t)(ALIGN - 1);
		if ((unsigned char *)old + ro == c->data + c->used && room(c) >= rn - ro) {
			c->used += rn - ro;
			a->total += rn - ro;
			return old;
		}
	}
	void *p = fl_arena_alloc(a, newn);
	if (p && old)
		memcpy(p, old, oldn < newn ? oldn : newn);
	return p;
}

char *fl_arena_strndup(fl_arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *p = alloc_text(a, n + 1);
	if (p && n)
		memcpy(p, s, n);
	return p;
}

char *fl_arena_strdup(fl_arena *a, const char *s)
{
	return fl_arena_strndup(a, s, strlen(s));
}

char *fl_arena_vprintf(fl_arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	char *p = alloc_text(a, (size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *fl_arena_printf(fl_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = fl_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t fl_arena_used(const fl_arena *a)
{
	return a->total;
}

int fl_vec_grow_(fl_arena *a, void **v, size_t *cap, size_t elem)
{
	/* First capacity by element size: most vectors of big structs (an
	 * item's exceptions, contributions) hold one or two elements, and
	 * the dead copies of grown vectors stay in the arena. */
	size_t ncap = *cap ? *cap * 2 : elem >= 64 ? 1 : elem >= 16 ? 2 : 8;
	if (ncap > SIZE_MAX / elem)
		return -1;
	void *p = fl_arena_realloc(a, *v, *cap * elem, ncap * elem);
	if (!p)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}

int fl_vec_reserve_(fl_arena *a, void **v, size_t n, size_t *cap, size_t extra,
		    size_t elem)
{
	if (extra > SIZE_MAX / elem - n)
		return -1;
	size_t need = n + extra;
	if (need <= *cap)
		return 0;
	size_t ncap = need;
	if (*cap && ncap < *cap * 2 && *cap <= SIZE_MAX / elem / 2)
		ncap = *cap * 2;
	void *p = fl_arena_realloc(a, *v, n * elem, ncap * elem);
	if (!p)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}
