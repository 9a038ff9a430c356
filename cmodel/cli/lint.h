/* Private to `pagewalk lint` (cmd_lint.c, lint_checks.c): the findings, and
 * what the scan collects for the checks that need the whole hierarchy. */
#ifndef PW_CLI_LINT_H
#define PW_CLI_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pagewalk/pagewalk.h"

/* Finding kinds, in the order lines with the same VA are printed. */
typedef enum {
    LK_RESERVED = 0,  /* reserved bits set (R5), other than a large page's low address bits */
    LK_MISALIGNED,    /* a large page's address bits below its size set (R5.5, R5.7) */
    LK_BUS_ERROR,     /* a table outside the image */
    LK_WX,            /* writable and executable (combined R/W=1, XD=0, NXE on) */
    LK_USER_KERNEL,   /* user-accessible page in the kernel half */
    LK_PT_USER,       /* user-accessible mapping of a page-table page */
    LK_PT_WRITE,      /* writable mapping of a page-table page */
    LK_CONFLICT,      /* one physical page mapped with different combined rights */
    LK_COUNT,
} lint_kind;

#define LINT_DETAIL_MAX 112

typedef struct {
    lint_kind kind;
    uint64_t va, pa;
    char detail[LINT_DETAIL_MAX];
} lint_finding;

/* A valid leaf as the scan found it. */
typedef struct {
    uint64_t la, pa, bytes;
    pw_page_size size;
    pw_perm perm;
} lint_leaf;

/* A growable array of n elements of `elem` bytes. */
typedef struct {
    void *v;
    size_t n, cap, elem;
} lint_vec;

typedef struct {
    bool skip[LK_COUNT];
    lint_vec findings;    /* lint_finding */
    lint_vec leaves;      /* lint_leaf, in LA order */
    lint_vec tables;      /* uint64_t page frames of the tables read */
    bool nomem;           /* an allocation failed: the run fails */
} lint_state;

const char *lint_kind_name(lint_kind k);
/* LK_COUNT when `name` (len bytes) names no kind. */
lint_kind lint_kind_lookup(const char *name, size_t len);

/* Append (a copy of) `elem`; false (and st->nomem) when out of memory. */
bool lint_push(lint_state *st, lint_vec *vec, const void *elem);
/* Record a finding unless its kind is skipped; detail is printf-formatted. */
void lint_add(lint_state *st, lint_kind k, uint64_t va, uint64_t pa, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* After the scan (lint_checks.c): mappings of page-table pages, then
 * physical pages mapped with conflicting rights. */
void lint_check_tables(lint_state *st);
void lint_check_conflicts(lint_state *st);
/* Sort the findings by VA, kind, PA. */
void lint_sort(lint_state *st);

#endif
