package realtime_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"staffroom/realtime"
	"staffroom/realtime/wstest"
)

// BenchmarkFanout measures one event reaching every subscriber of a topic over real
// sockets on 127.0.0.1 (clients in this same process, so the figure includes their
// reading). Reports the p99, over events, of the time until the last subscriber has it.
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			t := &testing.T{}
			th := newTestHub(t, realtime.Config{Unlimited: true, SendQueue: 1024})
			th.t = t
			clients := make([]*wstest.Client, n)
			for i := range clients {
				clients[i] = th.dial(int64(i + 1))
				clients[i].Subscribe("question:1")
			}
			var wg sync.WaitGroup
			arrived := make(chan struct{}, n*b.N)
			for _, c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < b.N; i++ {
						if f := c.Next(); f.Type != "event" {
							b.Errorf("frame %+v", f)
							return
						}
						arrived <- struct{}{}
					}
				}()
			}
			b.ResetTimer()
			start := time.Now()
			var lat []time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				th.publish("question:1", "answer.created", map[string]any{"id": i, "body_html": "<p>an answer of a typical length, a few sentences long</p>"})
				for range n {
					<-arrived
				}
				lat = append(lat, time.Since(t0))
			}
			elapsed := time.Since(start)
			b.StopTimer()
			wg.Wait()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-all-ms")
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "deliveries/s")
		})
	}
}
