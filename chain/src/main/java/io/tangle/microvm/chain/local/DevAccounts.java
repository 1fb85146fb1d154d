package io.tangle.microvm.chain.local;

import org.web3j.crypto.Credentials;

/**
 * Anvil's default dev accounts, derived from its public test mnemonic
 * ("test test test test test test test test test test test junk"). Each has a balance of 10,000 ether
 * on a fresh Anvil chain. The keys are public knowledge: use them on local chains only.
 */
public final class DevAccounts {

    /** Account #0, address {@code 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266}: the default contract and service owner. */
    public static final String ACCOUNT_0_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    /** Account #1, address {@code 0x70997970C51812dc3A010C7d01b50e0d17dc79C8}: the default operator. */
    public static final String ACCOUNT_1_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    /** Account #2, address {@code 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC}. */
    public static final String ACCOUNT_2_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

    /** Account #3, address {@code 0x90F79bf6EB2c4f870365E785982E1f101E93b906}. */
    public static final String ACCOUNT_3_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";

    private DevAccounts() {
    }

    public static Credentials owner() {
        return Credentials.create(ACCOUNT_0_KEY);
    }

    public static Credentials operator() {
        return Credentials.create(ACCOUNT_1_KEY);
    }

    public static Credentials account(int index) {
        return switch (index) {
            case 0 -> Credentials.create(ACCOUNT_0_KEY);
            case 1 -> Credentials.create(ACCOUNT_1_KEY);
            case 2 -> Credentials.create(ACCOUNT_2_KEY);
            case 3 -> Credentials.create(ACCOUNT_3_KEY);
            default -> throw new IllegalArgumentException("only dev accounts 0 to 3 are listed here: " + index);
        };
    }
}
