package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix" // Dup2 on every Unix (syscall has none on linux/arm64)
)

// takeStdio keeps stdin and stdout for the requests and replies, and points descriptors 0 and 1 at
// /dev/null and stderr: kustomize and helm then see what a child process of kustomize sees, and nothing
// they print can corrupt a reply.
func takeStdio() (io.Reader, io.Writer, error) {
	in, err := dupFile(0, "requests")
	if err != nil {
		return nil, nil, err
	}
	out, err := dupFile(1, "replies")
	if err != nil {
		return nil, nil, err
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		return nil, nil, err
	}
	defer null.Close()
	if err := unix.Dup2(int(null.Fd()), 0); err != nil {
		return nil, nil, err
	}
	return in, out, unix.Dup2(2, 1)
}

func dupFile(fd int, name string) (*os.File, error) {
	dup, err := unix.Dup(fd)
	if err != nil {
		return nil, err
	}
	unix.CloseOnExec(dup)
	return os.NewFile(uintptr(dup), name), nil
}

// captured runs fn with descriptors 1 and 2 (os.Stdout, os.Stderr and whatever holds them, such as the
// log package) writing to files of their own, as a separate process's would, and returns what it wrote.
func captured(fn func() int) (stdout, stderr []byte, code int, err error) {
	files := [2]*os.File{}
	saved := [2]*os.File{}
	for i := range files {
		if files[i], err = os.CreateTemp("", "out-"); err != nil {
			return nil, nil, 0, err
		}
		os.Remove(files[i].Name())
		defer files[i].Close()
		if saved[i], err = dupFile(i+1, "saved"); err != nil {
			return nil, nil, 0, err
		}
		defer saved[i].Close()
	}
	for i := range files {
		unix.Dup2(int(files[i].Fd()), i+1)
	}
	code = fn()
	for i := range files {
		unix.Dup2(int(saved[i].Fd()), i+1)
	}
	if stdout, err = readAll(files[0]); err == nil {
		stderr, err = readAll(files[1])
	}
	return stdout, stderr, code, err
}

func readAll(f *os.File) ([]byte, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}

// exitCode runs main-like code, a panic counting as Go's exit status 2 with its message on stderr.
func exitCode(run func() int) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(os.Stderr, "panic: %v\n", p)
			code = 2
		}
	}()
	return run()
}
