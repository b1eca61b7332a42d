package bench

import (
	"context"
	"math"
	"slices"
)

// robustEstimate is the TSC calibration before and after the samples: the
// median of 5 estimates, each from the fastest of 8 runs of each size, so
// that a burst of interference (another process on the CPU, the hypervisor)
// does not pass for a change of frequency.
func robustEstimate(ctx context.Context, s *subject) (float64, error) {
	var est [5]float64
	for i := range est {
		v, err := quickEstimate(ctx, s, 8)
		if err != nil {
			return 0, err
		}
		est[i] = v
	}
	slices.Sort(est[:])
	return est[len(est)/2], nil
}

// chooseLoop returns L such that the 2L region of t lasts about region TSC
// ticks: it times L = 1, 8, 64, … until a run lasts a sixteenth of that,
// then scales.
func chooseLoop(ctx context.Context, t *timer, region uint64) (int, error) {
	loop := 1
	for {
		var best uint64
		for i := 0; i < 3; i++ {
			_, tsc, err := t.run(ctx, loop)
			if err != nil {
				return 0, err
			}
			if i == 0 || tsc < best {
				best = tsc
			}
		}
		if best >= region/16 || loop >= MaxLoop/8 {
			perIter := float64(best) / float64(loop)
			l := int(math.Round(float64(region) / 2 / perIter))
			return max(1, min(l, MaxLoop)), nil
		}
		loop *= 8
	}
}

// batchMins holds, per batch and size, the smallest primary-clock and TSC
// readings.
type batchMins struct {
	primary, tsc [][numSizes]uint64
	n            [][numSizes]int
}

func newBatchMins(batches int) *batchMins {
	return &batchMins{primary: make([][numSizes]uint64, batches), tsc: make([][numSizes]uint64, batches), n: make([][numSizes]int, batches)}
}

func (b *batchMins) add(batch, size int, primary, tsc uint64) {
	if b.n[batch][size] == 0 || primary < b.primary[batch][size] {
		b.primary[batch][size] = primary
	}
	if b.n[batch][size] == 0 || tsc < b.tsc[batch][size] {
		b.tsc[batch][size] = tsc
	}
	b.n[batch][size]++
}

// sizeOrders are the orders in which a subject runs its three sizes, one
// per round in turn, so that no size always follows another.
var sizeOrders = [...][numSizes]int{
	{sizeUL, sizeU2L, size2UL}, {size2UL, sizeUL, sizeU2L}, {sizeU2L, size2UL, sizeUL},
	{sizeUL, size2UL, sizeU2L}, {sizeU2L, sizeUL, size2UL}, {size2UL, sizeU2L, sizeUL},
}

// sample runs the rounds: in each, every subject (in an order that rotates
// from round to round) runs its three sizes.
func (m *measurement) sample(ctx context.Context) error {
	subjects := m.all()
	m.samples = map[*subject]*batchMins{}
	for _, s := range subjects {
		m.samples[s] = newBatchMins(m.o.Batches)
	}
	rounds := m.o.Samples
	for r := 0; r < rounds; r++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := r * m.o.Batches / rounds
		for j := range subjects {
			s := subjects[(r+j)%len(subjects)]
			for _, size := range sizeOrders[r%len(sizeOrders)] {
				p, tsc, err := s.run(ctx, size)
				if err != nil {
					return err
				}
				m.samples[s].add(batch, size, p, tsc)
			}
		}
		if m.o.Progress != nil {
			m.o.Progress(r+1, rounds)
		}
	}
	return nil
}
