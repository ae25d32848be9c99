#include <opus/opusenc.h>

/* ope_encoder_ctl is variadic, which Swift cannot call: one typed wrapper per request used. */
static inline int copusenc_set_bitrate(OggOpusEnc *enc, opus_int32 bps) { return ope_encoder_ctl(enc, OPUS_SET_BITRATE(bps)); }
static inline int copusenc_set_voice(OggOpusEnc *enc) { return ope_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)); }
static inline int copusenc_set_serialno(OggOpusEnc *enc, opus_int32 serial) { return ope_encoder_ctl(enc, OPE_SET_SERIALNO(serial)); }
static inline int copusenc_set_complexity(OggOpusEnc *enc, opus_int32 c) { return ope_encoder_ctl(enc, OPUS_SET_COMPLEXITY(c)); }
