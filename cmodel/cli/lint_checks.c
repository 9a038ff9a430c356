/* The lint checks that need the whole hierarchy (lint.h): which leaves map
 * page-table pages, and which physical pages are mapped with different
 * rights. Both sort what the scan collected and sweep it once, so that the
 * work stays O(n log n) in the number of leaves and tables. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"
#include "machine.h"

#define RIGHTS_CLASSES 8 /* us, rw, xd */

static const char *const kind_names[LK_COUNT] = {
    [LK_RESERVED] = "reserved",     [LK_MISALIGNED] = "misaligned", [LK_BUS_ERROR] = "bus-error",
    [LK_WX] = "wx",                 [LK_USER_KERNEL] = "user-kernel", [LK_PT_USER] = "pt-user",
    [LK_PT_WRITE] = "pt-write",     [LK_CONFLICT] = "conflict",
};

const char *lint_kind_name(lint_kind k)
{
    return k < LK_COUNT ? kind_names[k] : "?";
}

lint_kind lint_kind_lookup(const char *name, size_t len)
{
    for (unsigned k = 0; k < LK_COUNT; k++)
        if (strlen(kind_names[k]) == len && strncmp(kind_names[k], name, len) == 0)
            return (lint_kind)k;
    return LK_COUNT;
}

bool lint_push(lint_state *st, lint_vec *vec, const void *elem)
{
    if (vec->n == vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 64;
        void *v = realloc(vec->v, cap * vec->elem);
        if (!v) {
            st->nomem = true;
            return false;
        }
        vec->v = v;
        vec->cap = cap;
    }
    memcpy((char *)vec->v + vec->n * vec->elem, elem, vec->elem);
    vec->n++;
    return true;
}

void lint_add(lint_state *st, lint_kind k, uint64_t va, uint64_t pa, const char *fmt, ...)
{
    if (st->skip[k])
        return;
    lint_finding f = {.kind = k, .va = va, .pa = pa};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f.detail, sizeof f.detail, fmt, ap);
    va_end(ap);
    lint_push(st, &st->findings, &f);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* First index in the sorted t[0..n) whose value is >= v. */
static size_t lower_bound(const uint64_t *t, size_t n, uint64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Every leaf that covers one or more table pages: one pt-user and/or pt-write
 * finding, at the VA and PA of the first table page it covers. */
void lint_check_tables(lint_state *st)
{
    uint64_t *t = st->tables.v;
    size_t n = st->tables.n, u = 0;
    if (n)
        qsort(t, n, sizeof *t, cmp_u64);
    for (size_t i = 0; i < n; i++)     /* unique */
        if (!u || t[u - 1] != t[i])
            t[u++] = t[i];
    st->tables.n = u;
    const lint_leaf *l = st->leaves.v;
    for (size_t i = 0; i < st->leaves.n; i++) {
        if (!l[i].perm.us && !l[i].perm.rw)
            continue;
        size_t first = lower_bound(t, u, l[i].pa);
        size_t end = lower_bound(t, u, l[i].pa + l[i].bytes);
        if (first == end)
            continue;
        uint64_t va = l[i].la + (t[first] - l[i].pa);
        const char *size = pw_page_size_name(l[i].size);
        if (l[i].perm.us)
            lint_add(st, LK_PT_USER, va, t[first], "size=%s tables=%zu", size, end - first);
        if (l[i].perm.rw)
            lint_add(st, LK_PT_WRITE, va, t[first], "size=%s tables=%zu", size, end - first);
    }
}

static unsigned rights_class(const pw_perm *p)
{
    return (p->us ? 1u : 0) | (p->rw ? 2u : 0) | (p->xd ? 4u : 0);
}

static int cmp_leaf_pa(const void *a, const void *b)
{
    const lint_leaf *x = a, *y = b;
    if (x->pa != y->pa)
        return x->pa < y->pa ? -1 : 1;
    return x->la < y->la ? -1 : x->la > y->la;
}

/* Sweep the leaves in PA order. For each rights class keep the leaf seen so
 * far that reaches highest; a leaf that starts inside one of another class is
 * a conflict (reported once, against the lowest class found). Sorts the
 * leaves by PA. */
void lint_check_conflicts(lint_state *st)
{
    lint_leaf *l = st->leaves.v;
    size_t n = st->leaves.n;
    if (!n)
        return;
    qsort(l, n, sizeof *l, cmp_leaf_pa);
    const lint_leaf *reach[RIGHTS_CLASSES] = {NULL};
    for (size_t i = 0; i < n; i++) {
        unsigned k = rights_class(&l[i].perm);
        for (unsigned c = 0; c < RIGHTS_CLASSES; c++) {
            const lint_leaf *o = reach[c];
            if (c == k || !o || o->pa + o->bytes <= l[i].pa)
                continue;
            char mine[CLI_RIGHTS_LEN], theirs[CLI_RIGHTS_LEN];
            cli_rights_str(&l[i].perm, mine);
            cli_rights_str(&o->perm, theirs);
            lint_add(st, LK_CONFLICT, l[i].la, l[i].pa,
                     "size=%s rights=%s other=0x%016" PRIx64 " other_rights=%s",
                     pw_page_size_name(l[i].size), mine, o->la + (l[i].pa - o->pa), theirs);
            break;
        }
        if (!reach[k] || reach[k]->pa + reach[k]->bytes < l[i].pa + l[i].bytes)
            reach[k] = &l[i];
    }
}

static int cmp_finding(const void *a, const void *b)
{
    const lint_finding *x = a, *y = b;
    if (x->va != y->va)
        return x->va < y->va ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->pa < y->pa ? -1 : x->pa > y->pa;
}

void lint_sort(lint_state *st)
{
    if (st->findings.n)
        qsort(st->findings.v, st->findings.n, sizeof(lint_finding), cmp_finding);
}
