package coverage

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/geo"
)

// MatchIDs gives the zones of a new computation (next) the ids of the
// previous snapshot's zones (prev) they continue, so that a zone keeps its
// id — and with it its lifecycle history — while its cells change.
//
// The rule: a new zone and an old zone of the same kind match when they
// share cells. Pairs are taken greedily by shared cells (most first;
// ties: the larger old population, then the smaller old id, then the
// better new rank), each old and each new zone at most once, so a zone
// that splits keeps its id on the part sharing most cells and two zones
// that merge keep the id of the one sharing most. A new zone without a
// match is named as FindZones names it, by kind and smallest cell; when
// that id is already taken (by a matched zone, or by a zone of prev that
// went away) the next smallest cell is used. A zone's tile id (FID)
// follows its id's cell. Both slices are of one resolution; next is
// changed in place and keeps its order.
func MatchIDs(prev, next []data.Zone) {
	type owner struct {
		i    int
		kind data.ZoneKind
	}
	byCell := make(map[geo.Cell]owner)
	for i, z := range prev {
		for _, c := range z.Cells {
			byCell[c] = owner{i, z.Kind}
		}
	}
	type pair struct{ n, o, shared int }
	var pairs []pair
	for n, z := range next {
		count := map[int]int{}
		for _, c := range z.Cells {
			if o, ok := byCell[c]; ok && o.kind == z.Kind {
				count[o.i]++
			}
		}
		for o, k := range count {
			pairs = append(pairs, pair{n, o, k})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		return cmp.Or(cmp.Compare(b.shared, a.shared), cmp.Compare(prev[b.o].Population, prev[a.o].Population),
			strings.Compare(prev[a.o].ID, prev[b.o].ID), cmp.Compare(next[a.n].Rank, next[b.n].Rank), cmp.Compare(a.n, b.n))
	})
	taken := map[string]bool{}
	for _, z := range prev {
		taken[z.ID] = true
	}
	matched := make([]bool, len(next))
	oldUsed := make([]bool, len(prev))
	for _, p := range pairs {
		if matched[p.n] || oldUsed[p.o] {
			continue
		}
		matched[p.n], oldUsed[p.o] = true, true
		next[p.n].ID, next[p.n].FID = prev[p.o].ID, prev[p.o].FID
	}
	for n := range next {
		if matched[n] {
			continue
		}
		z := &next[n]
		cells := slices.Clone(z.Cells)
		slices.Sort(cells)
		id, fid := z.ID, z.FID
		for _, c := range cells {
			if cand := zonePrefix(z.Kind) + "-" + c.String(); !taken[cand] {
				id, fid = cand, uint64(c)
				break
			}
		}
		for k := 2; taken[id]; k++ { // every cell's id taken: only in contrived cases
			id = z.ID + "-" + strconv.Itoa(k)
		}
		z.ID, z.FID = id, fid
		taken[id] = true
	}
}

func zonePrefix(k data.ZoneKind) string {
	if k == data.Grey {
		return "G"
	}
	return "W"
}
