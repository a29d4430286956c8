package roads

// Components describes the connected components of a graph.
type Components struct {
	Count   int   // number of components (an isolated node is one)
	Largest int   // nodes in the largest component
	Of      []int // component id of each node; ids are 0..Count-1, by first node
	Sizes   []int // nodes in each component
}

// Components returns the connected components of g. A graph built from
// imported roads often has islands (a road cut at the edge of the extract,
// a digitising gap): sites snapped to them cannot reach a PoP.
func (g *Graph) Components() Components {
	n := len(g.nodes)
	c := Components{Of: make([]int, n)}
	for i := range c.Of {
		c.Of[i] = -1
	}
	stack := make([]int32, 0, 64)
	for s := range n {
		if c.Of[s] >= 0 {
			continue
		}
		id := c.Count
		c.Count++
		size := 0
		c.Of[s] = id
		stack = append(stack[:0], int32(s))
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			size++
			for _, h := range g.adj[g.start[u]:g.start[u+1]] {
				if c.Of[h.to] < 0 {
					c.Of[h.to] = id
					stack = append(stack, h.to)
				}
			}
		}
		c.Sizes = append(c.Sizes, size)
		c.Largest = max(c.Largest, size)
	}
	return c
}
