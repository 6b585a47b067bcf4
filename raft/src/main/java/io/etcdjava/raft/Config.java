package io.etcdjava.raft;

/**
 * Settings of one Raft node. Built once, validated up front; {@link #builder()} rejects bad values
 * with the same reasons etcd's raft gives.
 */
public final class Config {
    private final long id;
    private final int electionTick;
    private final int heartbeatTick;
    private final Storage storage;
    private final long applied;
    private final long maxSizePerMsg;
    private final long maxCommittedSizePerReady;
    private final long maxUncommittedEntriesSize;
    private final int maxInflightMsgs;
    private final boolean checkQuorum;
    private final boolean preVote;
    private final ReadOnlyOption readOnlyOption;
    private final boolean disableProposalForwarding;
    private final long randomSeed;
    private final RaftLogger logger;

    private Config(Builder b) {
        this.id = b.id;
        this.electionTick = b.electionTick;
        this.heartbeatTick = b.heartbeatTick;
        this.storage = b.storage;
        this.applied = b.applied;
        this.maxSizePerMsg = b.maxSizePerMsg;
        this.maxCommittedSizePerReady = b.maxCommittedSizePerReady == 0 ? b.maxSizePerMsg : b.maxCommittedSizePerReady;
        this.maxUncommittedEntriesSize = b.maxUncommittedEntriesSize == 0 ? Long.MAX_VALUE : b.maxUncommittedEntriesSize;
        this.maxInflightMsgs = b.maxInflightMsgs;
        this.checkQuorum = b.checkQuorum;
        this.preVote = b.preVote;
        this.readOnlyOption = b.readOnlyOption;
        this.disableProposalForwarding = b.disableProposalForwarding;
        this.randomSeed = b.randomSeed == null ? id * 0x9E3779B97F4A7C15L : b.randomSeed;
        this.logger = b.logger;
    }

    public static Builder builder() {
        return new Builder();
    }

    public long id() {
        return id;
    }

    public int electionTick() {
        return electionTick;
    }

    public int heartbeatTick() {
        return heartbeatTick;
    }

    public Storage storage() {
        return storage;
    }

    public long applied() {
        return applied;
    }

    public long maxSizePerMsg() {
        return maxSizePerMsg;
    }

    public long maxCommittedSizePerReady() {
        return maxCommittedSizePerReady;
    }

    public long maxUncommittedEntriesSize() {
        return maxUncommittedEntriesSize;
    }

    public int maxInflightMsgs() {
        return maxInflightMsgs;
    }

    public boolean checkQuorum() {
        return checkQuorum;
    }

    public boolean preVote() {
        return preVote;
    }

    public ReadOnlyOption readOnlyOption() {
        return readOnlyOption;
    }

    public boolean disableProposalForwarding() {
        return disableProposalForwarding;
    }

    public long randomSeed() {
        return randomSeed;
    }

    public RaftLogger logger() {
        return logger;
    }

    /** Collects settings; {@link #build()} validates them. */
    public static final class Builder {
        private long id;
        private int electionTick = 10;
        private int heartbeatTick = 1;
        private Storage storage;
        private long applied;
        private long maxSizePerMsg = 1024 * 1024;
        private long maxCommittedSizePerReady;
        private long maxUncommittedEntriesSize;
        private int maxInflightMsgs = 256;
        private boolean checkQuorum;
        private boolean preVote;
        private ReadOnlyOption readOnlyOption = ReadOnlyOption.SAFE;
        private boolean disableProposalForwarding;
        private Long randomSeed;
        private RaftLogger logger = RaftLogger.NOOP;

        private Builder() {
        }

        public Builder id(long id) {
            this.id = id;
            return this;
        }

        public Builder electionTick(int ticks) {
            this.electionTick = ticks;
            return this;
        }

        public Builder heartbeatTick(int ticks) {
            this.heartbeatTick = ticks;
            return this;
        }

        public Builder storage(Storage storage) {
            this.storage = storage;
            return this;
        }

        /** The last index the application applied before a restart; 0 on a fresh node. */
        public Builder applied(long applied) {
            this.applied = applied;
            return this;
        }

        public Builder maxSizePerMsg(long bytes) {
            this.maxSizePerMsg = bytes;
            return this;
        }

        public Builder maxCommittedSizePerReady(long bytes) {
            this.maxCommittedSizePerReady = bytes;
            return this;
        }

        /** 0 means no limit. */
        public Builder maxUncommittedEntriesSize(long bytes) {
            this.maxUncommittedEntriesSize = bytes;
            return this;
        }

        public Builder maxInflightMsgs(int n) {
            this.maxInflightMsgs = n;
            return this;
        }

        public Builder checkQuorum(boolean on) {
            this.checkQuorum = on;
            return this;
        }

        public Builder preVote(boolean on) {
            this.preVote = on;
            return this;
        }

        public Builder readOnlyOption(ReadOnlyOption option) {
            this.readOnlyOption = option;
            return this;
        }

        public Builder disableProposalForwarding(boolean on) {
            this.disableProposalForwarding = on;
            return this;
        }

        /** Seed of the election-timeout randomness; a simulation replays exactly from it. */
        public Builder randomSeed(long seed) {
            this.randomSeed = seed;
            return this;
        }

        public Builder logger(RaftLogger logger) {
            this.logger = logger;
            return this;
        }

        public Config build() {
            if (id == 0) {
                throw new IllegalArgumentException("cannot use none as id");
            }
            if (heartbeatTick <= 0) {
                throw new IllegalArgumentException("heartbeat tick must be greater than 0");
            }
            if (electionTick <= heartbeatTick) {
                throw new IllegalArgumentException("election tick must be greater than heartbeat tick");
            }
            if (storage == null) {
                throw new IllegalArgumentException("storage cannot be nil");
            }
            if (maxInflightMsgs <= 0) {
                throw new IllegalArgumentException("max inflight messages must be greater than 0");
            }
            if (maxSizePerMsg <= 0) {
                throw new IllegalArgumentException("max size per message must be greater than 0");
            }
            if (readOnlyOption == ReadOnlyOption.LEASE_BASED && !checkQuorum) {
                throw new IllegalArgumentException(
                        "CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased");
            }
            if (logger == null) {
                throw new IllegalArgumentException("logger cannot be null");
            }
            return new Config(this);
        }
    }
}
