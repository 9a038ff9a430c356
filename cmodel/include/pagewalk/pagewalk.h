/* libpagewalk: the bit-exact, cycle-exact reference model of the pagewalk
 * x86 page-table walker. Include this one header. */
#ifndef PAGEWALK_PAGEWALK_H
#define PAGEWALK_PAGEWALK_H

#include "pagewalk/bits.h"
#include "pagewalk/types.h"
#include "pagewalk/walk.h"
#include "pagewalk/regs.h"
#include "pagewalk/plru.h"
#include "pagewalk/tlb.h"
#include "pagewalk/psc.h"
#include "pagewalk/mmu.h"
#include "pagewalk/image.h"
#include "pagewalk/os.h"
#include "pagewalk/scan.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PAGEWALK_VERSION "0.1.0"

#ifdef __cplusplus
}
#endif

#endif
