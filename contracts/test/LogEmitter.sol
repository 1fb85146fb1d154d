// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title LogEmitter
/// @notice Test helper: emits a log with any topics and data, so tests can feed a log reader
///         event shapes that the Tangle contract never emits (malformed data, other topic counts).
contract LogEmitter {
    error TooManyTopics(uint256 count);

    function emitLog(bytes32[] calldata topics, bytes calldata data) external {
        if (topics.length > 4) revert TooManyTopics(topics.length);
        bytes memory payload = data;
        uint256 count = topics.length;
        assembly {
            let start := add(payload, 32)
            let size := mload(payload)
            let first := calldataload(topics.offset)
            let second := calldataload(add(topics.offset, 32))
            let third := calldataload(add(topics.offset, 64))
            let fourth := calldataload(add(topics.offset, 96))
            switch count
            case 0 { log0(start, size) }
            case 1 { log1(start, size, first) }
            case 2 { log2(start, size, first, second) }
            case 3 { log3(start, size, first, second, third) }
            default { log4(start, size, first, second, third, fourth) }
        }
    }
}
