/* crc16.h: CRC-16/ARC, the checksum of SIA DC-07 and so of every DC-09
 * frame (polynomial 0x8005 reflected as 0xA001, initial value 0, no final
 * XOR; check value 0xBB3D for "123456789"). No library ships it, so it is
 * ours; it works on bytes, whatever they hold. */
#ifndef VIGIE_CRC16_H
#define VIGIE_CRC16_H

#include <stddef.h>
#include <stdint.h>

/* The CRC of len bytes. */
uint16_t crc16_arc(const uint8_t *data, size_t len);
/* Continues a CRC over more bytes: crc16_arc_update(crc16_arc(a), b) is the
 * CRC of a followed by b. Start from 0. */
uint16_t crc16_arc_update(uint16_t crc, const uint8_t *data, size_t len);

#endif
