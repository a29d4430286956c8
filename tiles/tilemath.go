package tiles

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/paulmach/orb/maptile"
)

// MaxZoom is the deepest zoom served.
const MaxZoom = 18

// ErrBadTile is matched by errors from ParseTile.
var ErrBadTile = errors.New("tiles: invalid tile address")

// ParseTile reads z/x/y path parts and checks that the tile exists.
func ParseTile(zs, xs, ys string) (maptile.Tile, error) {
	z, err := strconv.ParseUint(zs, 10, 8)
	if err != nil || z > MaxZoom {
		return maptile.Tile{}, fmt.Errorf("%w: zoom %q is not a whole number in [0, %d]", ErrBadTile, zs, MaxZoom)
	}
	n := uint64(1) << z
	x, err := strconv.ParseUint(xs, 10, 32)
	if err != nil || x >= n {
		return maptile.Tile{}, fmt.Errorf("%w: x %q is not a whole number in [0, %d] at zoom %d", ErrBadTile, xs, n-1, z)
	}
	y, err := strconv.ParseUint(ys, 10, 32)
	if err != nil || y >= n {
		return maptile.Tile{}, fmt.Errorf("%w: y %q is not a whole number in [0, %d] at zoom %d", ErrBadTile, ys, n-1, z)
	}
	return maptile.New(uint32(x), uint32(y), maptile.Zoom(z)), nil
}

// HexResolution is the H3 resolution drawn at zoom z for a grid of
// resolution base: one resolution coarser per zoom level below base+1, never
// finer than base nor coarser than 3. It keeps a dense tile to a few
// thousand hexagons (under 500 KB raw).
func HexResolution(z maptile.Zoom, base int) int {
	r := int(z) - 1
	if r > base {
		r = base
	}
	if r < 3 {
		r = 3
	}
	return r
}
