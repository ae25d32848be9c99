/* What Swift cannot import from SpanDSP 0.0.6 and libtiff directly: internal state fields,
   variadic functions and function-like macros. Every symbol is prefixed `cspandsp_`. */
#ifndef CSPANDSP_SHIM_H
#define CSPANDSP_SHIM_H

/* The FSK cutoff and transmit level of the ADSI (caller ID) states live in their private
   structures; there is no public setter in 0.0.6. */
#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES
#include <spandsp.h>
#include <tiffio.h>

/* SpanDSP's FSK receiver ignores anything below -30 dBm0 unless told otherwise. */
static inline void cspandsp_adsi_rx_set_signal_cutoff(adsi_rx_state_t *s, float cutoff_dBm0) {
    fsk_rx_signal_cutoff(&s->fskrx, cutoff_dBm0);
}

/* Transmit level of a caller-ID generator: FSK standards use the modem's power, DTMF caller ID
   its tone level (twist 0). */
static inline void cspandsp_adsi_tx_set_level(adsi_tx_state_t *s, float level_dBm0) {
    if (s->standard == ADSI_STANDARD_CLIP_DTMF)
        dtmf_tx_set_level(&s->dtmftx, (int) level_dBm0, 0);
    else
        fsk_tx_power(&s->fsktx, level_dBm0);
}

/* DTMF_SAMPLES_PER_BLOCK is private to dtmf.c (0.0.6: 102 samples). */
static inline int cspandsp_dtmf_block_samples(void) { return 102; }

/* libtiff's field accessors are variadic. */
static inline int cspandsp_tiff_set_u16(TIFF *t, uint32_t tag, uint16_t v) { return TIFFSetField(t, tag, v); }
static inline int cspandsp_tiff_set_u32(TIFF *t, uint32_t tag, uint32_t v) { return TIFFSetField(t, tag, v); }
static inline int cspandsp_tiff_set_float(TIFF *t, uint32_t tag, float v) { return TIFFSetField(t, tag, (double) v); }
static inline int cspandsp_tiff_set_string(TIFF *t, uint32_t tag, const char *v) { return TIFFSetField(t, tag, v); }
static inline int cspandsp_tiff_set_pages(TIFF *t, uint16_t page, uint16_t pages) { return TIFFSetField(t, TIFFTAG_PAGENUMBER, page, pages); }
static inline int cspandsp_tiff_get_u16(TIFF *t, uint32_t tag, uint16_t *v) { return TIFFGetField(t, tag, v); }
static inline int cspandsp_tiff_get_u32(TIFF *t, uint32_t tag, uint32_t *v) { return TIFFGetField(t, tag, v); }
static inline int cspandsp_tiff_get_float(TIFF *t, uint32_t tag, float *v) { return TIFFGetField(t, tag, v); }

/* libtiff prints to stderr by default; the fax code reports its own errors. */
static inline void cspandsp_tiff_silence(void) {
    TIFFSetErrorHandler(NULL);
    TIFFSetWarningHandler(NULL);
}

#endif
