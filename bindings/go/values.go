package chconnect

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"strings"
	"time"
)

// Decimal is an exact ClickHouse Decimal value: Unscaled * 10^-Scale.
type Decimal struct {
	Unscaled *big.Int
	Scale    int
}

// NewDecimal returns the Decimal unscaled * 10^-scale.
func NewDecimal(unscaled int64, scale int) Decimal {
	return Decimal{Unscaled: big.NewInt(unscaled), Scale: scale}
}

// ParseDecimal parses exact decimal text ("-123.4500", "7", "+.5"); the scale is the number of
// fractional digits given.
func ParseDecimal(s string) (Decimal, error) {
	t := s
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = t[1:]
	}
	intPart, frac, _ := strings.Cut(t, ".")
	digits := intPart + frac
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return Decimal{}, fmt.Errorf("%q is not a decimal number", s)
	}
	u, _ := new(big.Int).SetString(digits, 10)
	if neg {
		u.Neg(u)
	}
	return Decimal{Unscaled: u, Scale: len(frac)}, nil
}

// String returns the exact decimal text with Scale fractional digits, as ClickHouse prints it.
func (d Decimal) String() string {
	if d.Unscaled == nil {
		return "0"
	}
	s := new(big.Int).Abs(d.Unscaled).String()
	if d.Scale > 0 {
		if len(s) <= d.Scale {
			s = strings.Repeat("0", d.Scale-len(s)+1) + s
		}
		s = s[:len(s)-d.Scale] + "." + s[len(s)-d.Scale:]
	}
	if d.Unscaled.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// Float64 returns the nearest float64.
func (d Decimal) Float64() float64 {
	f, _ := new(big.Float).SetPrec(200).SetString(d.String())
	if f == nil {
		return math.NaN()
	}
	v, _ := f.Float64()
	return v
}

// Rat returns the exact value as a big.Rat.
func (d Decimal) Rat() *big.Rat {
	r, _ := new(big.Rat).SetString(d.String())
	return r
}

// UUID is a UUID in RFC 4122 byte order (the order of its text form).
type UUID [16]byte

// String returns the canonical text form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// ParseUUID parses the canonical text form (dashes optional).
func ParseUUID(s string) (UUID, error) {
	var u UUID
	h := s
	if len(h) == 36 && h[8] == '-' && h[13] == '-' && h[18] == '-' && h[23] == '-' {
		h = h[0:8] + h[9:13] + h[14:18] + h[19:23] + h[24:]
	}
	if len(h) != 32 {
		return u, fmt.Errorf("%q is not a UUID", s)
	}
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, fmt.Errorf("%q is not a UUID", s)
	}
	return u, nil
}

// uuidFromWire converts ClickHouse's layout (two little-endian UInt64, high half first) to RFC order.
func uuidFromWire(b []byte) UUID {
	var u UUID
	binary.BigEndian.PutUint64(u[0:8], binary.LittleEndian.Uint64(b[0:8]))
	binary.BigEndian.PutUint64(u[8:16], binary.LittleEndian.Uint64(b[8:16]))
	return u
}

// uuidToWire is the inverse of uuidFromWire.
func uuidToWire(u UUID) [16]byte {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[0:8], binary.BigEndian.Uint64(u[0:8]))
	binary.LittleEndian.PutUint64(b[8:16], binary.BigEndian.Uint64(u[8:16]))
	return b
}

// Interval is a value of an Interval type (e.g. toIntervalDay(3)): Value units of Unit.
type Interval struct {
	Value int64
	Unit  string // "Nanosecond", "Microsecond", "Millisecond", "Second", "Minute", "Hour", "Day", "Week", "Month", "Quarter", "Year"
}

var intervalUnits = map[string]time.Duration{
	"Nanosecond": time.Nanosecond, "Microsecond": time.Microsecond, "Millisecond": time.Millisecond,
	"Second": time.Second, "Minute": time.Minute, "Hour": time.Hour, "Day": 24 * time.Hour, "Week": 7 * 24 * time.Hour,
}

// Duration returns the interval as a time.Duration; ok is false for Month, Quarter and Year
// (no fixed length) and on overflow.
func (iv Interval) Duration() (d time.Duration, ok bool) {
	u, known := intervalUnits[iv.Unit]
	if !known || (iv.Value != 0 && (iv.Value > math.MaxInt64/int64(u) || iv.Value < math.MinInt64/int64(u))) {
		return 0, false
	}
	return time.Duration(iv.Value) * u, true
}

func (iv Interval) String() string { return fmt.Sprintf("%d %s", iv.Value, iv.Unit) }

// MapEntry is one key/value pair of a Map value, in the server's order (see Column.MapPairs).
type MapEntry struct {
	Key, Value any
}

// SharedVariantValue is a Dynamic value of a type that overflowed the column's alternatives: the
// raw ClickHouse binary type encoding followed by the binary value.
type SharedVariantValue []byte

// bigFromLE decodes a little-endian integer (two's complement when signed).
func bigFromLE(b []byte, signed bool) *big.Int {
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	v := new(big.Int).SetBytes(be)
	if signed && len(b) > 0 && b[len(b)-1]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return v
}

// bigToLE encodes v in size bytes little-endian two's complement; ok is false when it does not fit.
func bigToLE(v *big.Int, size int, signed bool) ([]byte, bool) {
	bits := 8 * size
	if signed {
		lim := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
		if v.Cmp(lim) >= 0 || v.Cmp(new(big.Int).Neg(lim)) < 0 {
			return nil, false
		}
	} else if v.Sign() < 0 || v.BitLen() > bits {
		return nil, false
	}
	u := new(big.Int).Set(v)
	if u.Sign() < 0 {
		u.Add(u, new(big.Int).Lsh(big.NewInt(1), uint(bits)))
	}
	be := u.FillBytes(make([]byte, size))
	out := make([]byte, size)
	for i := range be {
		out[size-1-i] = be[i]
	}
	return out, true
}

// bfloat16ToFloat32 widens a BFloat16 (the top 16 bits of a float32).
func bfloat16ToFloat32(b uint16) float32 { return math.Float32frombits(uint32(b) << 16) }

// ipv4FromWire converts the UInt32 of an IPv4 column to an address.
func ipv4FromWire(v uint32) netip.Addr {
	var a [4]byte
	binary.BigEndian.PutUint32(a[:], v)
	return netip.AddrFrom4(a)
}

func pow10(n int) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// dateFromDays gives midnight UTC of a day number.
func dateFromDays(days int64) time.Time { return time.Unix(days*86400, 0).UTC() }

// ticksToTime converts DateTime64 ticks of 10^-precision s.
func ticksToTime(ticks int64, precision int, loc *time.Location) time.Time {
	if precision > 9 { // not made by ClickHouse (max 9); keep nanoseconds
		ticks /= pow10(precision - 9)
		precision = 9
	}
	p := pow10(precision)
	sec, frac := ticks/p, ticks%p
	if frac < 0 {
		sec--
		frac += p
	}
	return time.Unix(sec, frac*pow10(9-precision)).In(loc)
}

// timeToTicks is the inverse of ticksToTime (truncating finer digits toward the past).
func timeToTicks(t time.Time, precision int) int64 {
	if precision > 9 {
		precision = 9
	}
	return t.Unix()*pow10(precision) + int64(t.Nanosecond())/pow10(9-precision)
}

// ticksToDuration converts Time64 ticks of 10^-precision s.
func ticksToDuration(ticks int64, precision int) time.Duration {
	if precision >= 9 {
		return time.Duration(ticks / pow10(precision-9))
	}
	return time.Duration(ticks * pow10(9-precision))
}

// durationToTicks is the inverse of ticksToDuration.
func durationToTicks(d time.Duration, precision int) int64 {
	if precision >= 9 {
		return int64(d) * pow10(precision-9)
	}
	return int64(d) / pow10(9-precision)
}
