// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title LocalTangle
/// @notice A small stand-in for the operator-facing part of the Tangle core contract
///         (tnt-core v0.10.4), for local development and tests on Anvil.
/// @dev The functions an operator or a service user calls, the events they watch and the custom
///      errors they decode have the same canonical signatures, and so the same selectors and
///      topic0 hashes, as the real contract. Blueprint creation is this contract's own design.
///      Left out on purpose: staking and its checks, slashing, pricing and payment tokens,
///      blueprint service manager hooks, TTL renewal, membership changes and signed quotes.
contract LocalTangle {
    // ---------------------------------------------------------------- types

    struct JobDefinition {
        string name;
        string description;
        string metadataUri;
        bytes paramsSchema;
        bytes resultSchema;
    }

    /// @dev Same field order and types as Types.JobCall of the real contract, so the ABI tuple
    ///      returned by getJobCall decodes the same way.
    struct JobCall {
        uint8 jobIndex;
        address caller;
        uint64 createdAt;
        uint32 resultCount;
        uint256 payment;
        bool completed;
        bool isRFQ;
    }

    struct Blueprint {
        address owner;
        uint32 requiredResultCount;
        uint8 jobCount;
        bool exists;
    }

    struct ServiceRequest {
        uint64 blueprintId;
        address requester;
        uint64 ttl;
        address[] operators;
        address[] permittedCallers;
        uint32 approvalCount;
        bool exists;
        bool activated;
    }

    struct Service {
        uint64 blueprintId;
        address owner;
        uint64 createdAt;
        uint64 ttl;
        bool active;
    }

    // ---------------------------------------------------------------- events

    /// @dev Local event: the real contract's blueprint events differ.
    event BlueprintCreated(uint64 indexed blueprintId, address indexed owner, uint8 jobCount);

    event OperatorRegistered(uint64 indexed blueprintId, address indexed operator, bytes ecdsaPublicKey, string rpcAddress);

    event ServiceRequested(uint64 indexed requestId, uint64 indexed blueprintId, address indexed requester);

    event ServiceActivated(uint64 indexed serviceId, uint64 indexed requestId, uint64 indexed blueprintId);

    /// @dev jobIndex is not indexed, as in the real implementation (3 topics), although the
    ///      real ITangleJobs interface declares it indexed. topic0 is the same either way.
    event JobSubmitted(uint64 indexed serviceId, uint64 indexed callId, uint8 jobIndex, address caller, bytes inputs);

    event JobSubmittedFromQuote(
        uint64 indexed serviceId,
        uint64 indexed callId,
        uint8 jobIndex,
        address caller,
        address[] quotedOperators,
        uint256 totalPrice,
        bytes inputs
    );

    event JobResultSubmitted(uint64 indexed serviceId, uint64 indexed callId, address indexed operator, bytes result);

    event JobCompleted(uint64 indexed serviceId, uint64 indexed callId);

    // ---------------------------------------------------------------- errors (real signatures)

    error JobAlreadyCompleted(uint64 serviceId, uint64 callId);
    error ResultAlreadySubmitted(uint64 serviceId, uint64 callId, address operator);
    error OperatorNotInService(uint64 serviceId, address operator);
    error NotPermittedCaller(uint64 serviceId, address caller);
    error InvalidJobIndex(uint8 jobIndex);
    error ServiceNotActive(uint64 serviceId);
    error JobCallNotFound(uint64 serviceId, uint64 callId);
    error InvalidOperatorKey();

    // ---------------------------------------------------------------- errors (local only)

    error BlueprintNotFound(uint64 blueprintId);
    error NoJobs();
    error TooManyJobs(uint256 count);
    error InvalidRequiredResultCount(uint32 count);
    /// @dev The real contract validates non-empty schemas against its own compact payload format.
    ///      This contract does not implement that format, so it accepts empty schemas only, which
    ///      is also what a blueprint that answers with ABI-encoded results must register.
    error SchemaNotSupported(uint8 jobIndex);
    error OperatorAlreadyRegistered(uint64 blueprintId, address operator);
    error OperatorKeyMismatch(address operator, address keyAddress);
    error OperatorNotRegistered(uint64 blueprintId, address operator);
    error NoOperators();
    error PaymentTokenNotSupported(address token);
    error PaymentMismatch(uint256 expected, uint256 received);
    error ServiceRequestNotFound(uint64 requestId);
    error ServiceRequestAlreadyActivated(uint64 requestId);
    error NotRequestedOperator(uint64 requestId, address operator);
    error AlreadyApproved(uint64 requestId, address operator);
    error NotServiceOwner(uint64 serviceId, address account);
    error OperatorNotQuoted(uint64 serviceId, uint64 callId, address operator);
    error PaymentTransferFailed(address operator, uint256 amount);
    error LengthMismatch();

    // ---------------------------------------------------------------- state

    uint64 public blueprintCount;
    uint64 public serviceRequestCount;
    uint64 public serviceCount;

    mapping(uint64 => Blueprint) internal blueprints;
    mapping(uint64 => mapping(uint8 => JobDefinition)) internal jobDefinitions;
    mapping(uint64 => mapping(address => bool)) internal registeredOperators;

    mapping(uint64 => ServiceRequest) internal serviceRequests;
    mapping(uint64 => mapping(address => bool)) internal requestApprovals;

    mapping(uint64 => Service) internal services;
    mapping(uint64 => mapping(address => bool)) internal serviceOperators;
    mapping(uint64 => mapping(address => bool)) internal permittedCallers;

    /// @dev Number of job calls of each service; the next call id of that service.
    mapping(uint64 => uint64) public serviceCallCount;
    mapping(uint64 => mapping(uint64 => JobCall)) internal jobCalls;
    mapping(uint64 => mapping(uint64 => bytes)) internal jobInputs;
    mapping(uint64 => mapping(uint64 => mapping(address => bool))) internal resultSubmitted;
    mapping(uint64 => mapping(uint64 => mapping(address => bool))) internal quotedOperator;

    // ---------------------------------------------------------------- blueprints and operators

    /// @notice Creates a blueprint whose job indexes are the positions in `jobs`.
    /// @param requiredResultCount results needed to complete a call; the real contract's default
    ///        without a service manager is 1.
    function createBlueprint(JobDefinition[] calldata jobs, uint32 requiredResultCount) external returns (uint64 blueprintId) {
        if (jobs.length == 0) revert NoJobs();
        if (jobs.length > 255) revert TooManyJobs(jobs.length);
        if (requiredResultCount == 0) revert InvalidRequiredResultCount(requiredResultCount);

        blueprintId = blueprintCount++;
        for (uint256 i = 0; i < jobs.length; i++) {
            if (jobs[i].paramsSchema.length != 0 || jobs[i].resultSchema.length != 0) {
                revert SchemaNotSupported(uint8(i));
            }
            jobDefinitions[blueprintId][uint8(i)] = jobs[i];
        }
        blueprints[blueprintId] = Blueprint({
            owner: msg.sender,
            requiredResultCount: requiredResultCount,
            jobCount: uint8(jobs.length),
            exists: true
        });

        emit BlueprintCreated(blueprintId, msg.sender, uint8(jobs.length));
    }

    function getJobDefinition(uint64 blueprintId, uint8 jobIndex) external view returns (JobDefinition memory) {
        Blueprint storage blueprint = blueprints[blueprintId];
        if (!blueprint.exists) revert BlueprintNotFound(blueprintId);
        if (jobIndex >= blueprint.jobCount) revert InvalidJobIndex(jobIndex);
        return jobDefinitions[blueprintId][jobIndex];
    }

    /// @notice Registers the sender as an operator of a blueprint.
    /// @param ecdsaPublicKey the sender's uncompressed secp256k1 key, 0x04 || X || Y (65 bytes).
    function registerOperator(uint64 blueprintId, bytes calldata ecdsaPublicKey, string calldata rpcAddress) external {
        if (!blueprints[blueprintId].exists) revert BlueprintNotFound(blueprintId);
        if (registeredOperators[blueprintId][msg.sender]) revert OperatorAlreadyRegistered(blueprintId, msg.sender);
        if (ecdsaPublicKey.length != 65 || ecdsaPublicKey[0] != 0x04) revert InvalidOperatorKey();

        // The address of an uncompressed key is the last 20 bytes of keccak256(X || Y).
        address keyAddress = address(uint160(uint256(keccak256(ecdsaPublicKey[1:]))));
        if (keyAddress != msg.sender) revert OperatorKeyMismatch(msg.sender, keyAddress);

        registeredOperators[blueprintId][msg.sender] = true;
        emit OperatorRegistered(blueprintId, msg.sender, ecdsaPublicKey, rpcAddress);
    }

    function isOperatorRegistered(uint64 blueprintId, address operator) external view returns (bool) {
        return registeredOperators[blueprintId][operator];
    }

    // ---------------------------------------------------------------- services

    /// @notice Requests a service run by `operators`; it becomes active once every operator approved.
    /// @dev The requester is a permitted caller of the service, as in the real contract.
    ///      Only native payment is supported: paymentToken must be zero and msg.value must equal
    ///      paymentAmount. `config` is accepted and ignored.
    function requestService(
        uint64 blueprintId,
        address[] calldata operators,
        bytes calldata config,
        address[] calldata callers,
        uint64 ttl,
        address paymentToken,
        uint256 paymentAmount
    ) external payable returns (uint64 requestId) {
        config;
        if (!blueprints[blueprintId].exists) revert BlueprintNotFound(blueprintId);
        if (operators.length == 0) revert NoOperators();
        if (paymentToken != address(0)) revert PaymentTokenNotSupported(paymentToken);
        if (msg.value != paymentAmount) revert PaymentMismatch(paymentAmount, msg.value);
        for (uint256 i = 0; i < operators.length; i++) {
            if (!registeredOperators[blueprintId][operators[i]]) revert OperatorNotRegistered(blueprintId, operators[i]);
        }

        requestId = serviceRequestCount++;
        ServiceRequest storage request = serviceRequests[requestId];
        request.blueprintId = blueprintId;
        request.requester = msg.sender;
        request.ttl = ttl;
        request.operators = operators;
        request.permittedCallers = callers;
        request.exists = true;

        emit ServiceRequested(requestId, blueprintId, msg.sender);
    }

    /// @notice Approves a service request as one of its operators. The last approval activates the service.
    /// @param stakingPercent accepted and ignored: this contract has no staking.
    function approveService(uint64 requestId, uint8 stakingPercent) external {
        stakingPercent;
        ServiceRequest storage request = serviceRequests[requestId];
        if (!request.exists) revert ServiceRequestNotFound(requestId);
        if (request.activated) revert ServiceRequestAlreadyActivated(requestId);
        if (!containsAddress(request.operators, msg.sender)) revert NotRequestedOperator(requestId, msg.sender);
        if (requestApprovals[requestId][msg.sender]) revert AlreadyApproved(requestId, msg.sender);

        requestApprovals[requestId][msg.sender] = true;
        request.approvalCount++;
        if (request.approvalCount == request.operators.length) {
            activateService(requestId, request);
        }
    }

    function addPermittedCaller(uint64 serviceId, address caller) external {
        if (services[serviceId].owner != msg.sender) revert NotServiceOwner(serviceId, msg.sender);
        permittedCallers[serviceId][caller] = true;
    }

    function isPermittedCaller(uint64 serviceId, address caller) external view returns (bool) {
        return permittedCallers[serviceId][caller];
    }

    function isServiceOperator(uint64 serviceId, address operator) external view returns (bool) {
        return serviceOperators[serviceId][operator];
    }

    // ---------------------------------------------------------------- jobs

    /// @notice Submits a job call. Call ids are per service and sequential from 0.
    /// @dev Checks in the real contract's order: service active, permitted caller, job index.
    ///      msg.value is recorded as the call's payment and paid to the operator whose result
    ///      completes the call.
    function submitJob(uint64 serviceId, uint8 jobIndex, bytes calldata inputs) external payable returns (uint64 callId) {
        callId = recordJobCall(serviceId, jobIndex, inputs, false);
        emit JobSubmitted(serviceId, callId, jobIndex, msg.sender, inputs);
    }

    /// @notice Local only: submits a job call as if it came with quotes from `quotedOperators`,
    ///         and emits JobSubmittedFromQuote, so that operators can test their handling of it.
    /// @dev The real contract takes operator-signed price quotes here and checks the signatures;
    ///      this one trusts the list. Only quoted operators may answer such a call.
    function submitJobFromQuoteUnsigned(uint64 serviceId, uint8 jobIndex, bytes calldata inputs, address[] calldata quotedOperators)
        external
        payable
        returns (uint64 callId)
    {
        callId = recordJobCall(serviceId, jobIndex, inputs, true);
        for (uint256 i = 0; i < quotedOperators.length; i++) {
            quotedOperator[serviceId][callId][quotedOperators[i]] = true;
        }
        emit JobSubmittedFromQuote(serviceId, callId, jobIndex, msg.sender, quotedOperators, msg.value, inputs);
    }

    /// @notice Submits the sender's result for a job call.
    /// @dev Reverts with JobAlreadyCompleted when enough results were already submitted, which is
    ///      what a slower operator sees after a faster one completed the call.
    function submitResult(uint64 serviceId, uint64 callId, bytes calldata result) external {
        recordResult(serviceId, callId, result);
    }

    /// @notice Submits the sender's results for several job calls of one service, in order.
    /// @dev As in the real contract, one call that reverts reverts the whole batch, with that
    ///      call's error.
    function submitResults(uint64 serviceId, uint64[] calldata callIds, bytes[] calldata results) external {
        if (callIds.length != results.length) revert LengthMismatch();
        for (uint256 i = 0; i < callIds.length; i++) {
            recordResult(serviceId, callIds[i], results[i]);
        }
    }

    function getJobCall(uint64 serviceId, uint64 callId) external view returns (JobCall memory) {
        if (callId >= serviceCallCount[serviceId]) revert JobCallNotFound(serviceId, callId);
        return jobCalls[serviceId][callId];
    }

    function getJobInputs(uint64 serviceId, uint64 callId) external view returns (bytes memory) {
        if (callId >= serviceCallCount[serviceId]) revert JobCallNotFound(serviceId, callId);
        return jobInputs[serviceId][callId];
    }

    // ---------------------------------------------------------------- internals

    function recordResult(uint64 serviceId, uint64 callId, bytes calldata result) private {
        if (!serviceOperators[serviceId][msg.sender]) revert OperatorNotInService(serviceId, msg.sender);
        if (callId >= serviceCallCount[serviceId]) revert JobCallNotFound(serviceId, callId);
        JobCall storage call = jobCalls[serviceId][callId];
        if (call.completed) revert JobAlreadyCompleted(serviceId, callId);
        if (resultSubmitted[serviceId][callId][msg.sender]) revert ResultAlreadySubmitted(serviceId, callId, msg.sender);
        if (call.isRFQ && !quotedOperator[serviceId][callId][msg.sender]) revert OperatorNotQuoted(serviceId, callId, msg.sender);

        resultSubmitted[serviceId][callId][msg.sender] = true;
        call.resultCount++;
        emit JobResultSubmitted(serviceId, callId, msg.sender, result);

        if (call.resultCount >= blueprints[services[serviceId].blueprintId].requiredResultCount) {
            call.completed = true;
            emit JobCompleted(serviceId, callId);
            payOperator(msg.sender, call.payment);
        }
    }

    function activateService(uint64 requestId, ServiceRequest storage request) private {
        request.activated = true;
        uint64 serviceId = serviceCount++;
        services[serviceId] = Service({
            blueprintId: request.blueprintId,
            owner: request.requester,
            createdAt: uint64(block.timestamp),
            ttl: request.ttl,
            active: true
        });
        for (uint256 i = 0; i < request.operators.length; i++) {
            serviceOperators[serviceId][request.operators[i]] = true;
        }
        permittedCallers[serviceId][request.requester] = true;
        for (uint256 i = 0; i < request.permittedCallers.length; i++) {
            permittedCallers[serviceId][request.permittedCallers[i]] = true;
        }
        emit ServiceActivated(serviceId, requestId, request.blueprintId);
    }

    function recordJobCall(uint64 serviceId, uint8 jobIndex, bytes calldata inputs, bool isRFQ) private returns (uint64 callId) {
        Service storage service = services[serviceId];
        // A ttl of 0 means the service never expires.
        bool expired = service.ttl != 0 && block.timestamp > uint256(service.createdAt) + service.ttl;
        if (!service.active || expired) revert ServiceNotActive(serviceId);
        if (!permittedCallers[serviceId][msg.sender]) revert NotPermittedCaller(serviceId, msg.sender);
        if (jobIndex >= blueprints[service.blueprintId].jobCount) revert InvalidJobIndex(jobIndex);

        callId = serviceCallCount[serviceId]++;
        jobCalls[serviceId][callId] = JobCall({
            jobIndex: jobIndex,
            caller: msg.sender,
            createdAt: uint64(block.timestamp),
            resultCount: 0,
            payment: msg.value,
            completed: false,
            isRFQ: isRFQ
        });
        jobInputs[serviceId][callId] = inputs;
    }

    function payOperator(address operator, uint256 amount) private {
        if (amount == 0) return;
        (bool sent,) = operator.call{value: amount}("");
        if (!sent) revert PaymentTransferFailed(operator, amount);
    }

    function containsAddress(address[] storage list, address value) private view returns (bool) {
        for (uint256 i = 0; i < list.length; i++) {
            if (list[i] == value) return true;
        }
        return false;
    }
}
