package edge

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// WatchLifeline reads the supervisor's lifeline (MESHCART_LIFELINE_FD, see
// scripts/local-stack/supervisor.ts) in a goroutine and calls onLost once when it reaches
// end-of-file or fails: the supervisor holds the other end and never writes, so EOF means it
// is gone, however it died, and nobody is left to stop us. fd 0 means no lifeline (nothing
// happens).
func WatchLifeline(fd int, onLost func()) error {
	if fd == 0 {
		return nil
	}
	// Checked on the bare descriptor first: an *os.File would close it when collected, and a
	// descriptor that is not the supervisor's pipe (e.g. the runtime's own epoll) is not ours.
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return fmt.Errorf("MESHCART_LIFELINE_FD=%d: %w", fd, err)
	}
	if kind := st.Mode & syscall.S_IFMT; kind != syscall.S_IFIFO && kind != syscall.S_IFSOCK {
		return fmt.Errorf("MESHCART_LIFELINE_FD=%d: not a pipe or socket", fd)
	}
	f := os.NewFile(uintptr(fd), "lifeline")
	go func() {
		_, _ = io.Copy(io.Discard, f) // returns at EOF, or on a read error: the same verdict
		onLost()
	}()
	return nil
}
