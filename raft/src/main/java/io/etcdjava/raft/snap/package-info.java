/**
 * Raft snapshot files ({@link io.etcdjava.raft.snap.Snapshotter}): written atomically,
 * checksummed, newest valid one loaded on restart.
 */
package io.etcdjava.raft.snap;
