// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title KmsVerifier (test verifier, not a deployment contract)
/// @notice Checks TKMS public-decryption results the way an fhEVM contract does:
///   EIP-712 typed data
///     PublicDecryptVerification(bytes32[] ctHandles,bytes decryptedResult,bytes extraData)
///   under the domain {name, version, chainId, verifyingContract}, signed by at least
///   `threshold` distinct KMS parties. Mirrors common/eip712.ts; test/evm/kmsVerifier.test.ts
///   compiles it with solc-js and calls it on an in-process EVM node.
contract KmsVerifier {
    /// EIP-712 §"Definition of domainSeparator": the four fields common/eip712.ts sets.
    bytes32 private constant EIP712_DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant PUBLIC_DECRYPT_TYPEHASH =
        keccak256("PublicDecryptVerification(bytes32[] ctHandles,bytes decryptedResult,bytes extraData)");
    /// secp256k1 n / 2: signatures with a larger s are the malleated twin of a low-s one (EIP-2).
    uint256 private constant HALF_CURVE_ORDER =
        0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    bytes32 private immutable nameHash;
    bytes32 private immutable versionHash;
    /// 0 = the chain this contract runs on (read at call time).
    uint256 private immutable domainChainId;
    /// address(0) at construction = this contract.
    address private immutable domainVerifyingContract;

    address[] private signers;
    mapping(address => bool) public isSigner;
    uint256 public immutable threshold;

    /// Emitted by publishDecryption: the cleartexts a consumer contract would act on.
    event PublicDecryption(bytes32[] handles, uint256[] cleartexts, bytes extraData);

    error InvalidSigner(address signer);
    error InvalidThreshold(uint256 threshold, uint256 signers);
    error NotEnoughSignatures(uint256 valid, uint256 threshold);
    error MalformedResult(uint256 length);

    /// @param chainId_ the domain's chain id; 0 for block.chainid. fhEVM signs for the gateway
    ///        chain, so a host-chain verifier passes it explicitly.
    /// @param verifyingContract_ the domain's verifying contract; address(0) for this contract.
    constructor(
        string memory name_,
        string memory version_,
        uint256 chainId_,
        address verifyingContract_,
        address[] memory signers_,
        uint256 threshold_
    ) {
        if (threshold_ == 0 || threshold_ > signers_.length) revert InvalidThreshold(threshold_, signers_.length);
        for (uint256 i = 0; i < signers_.length; i++) {
            address s = signers_[i];
            // address(0) is what ecrecover returns for garbage; it must never count.
            if (s == address(0) || isSigner[s]) revert InvalidSigner(s);
            isSigner[s] = true;
            signers.push(s);
        }
        nameHash = keccak256(bytes(name_));
        versionHash = keccak256(bytes(version_));
        domainChainId = chainId_;
        domainVerifyingContract = verifyingContract_ == address(0) ? address(this) : verifyingContract_;
        threshold = threshold_;
    }

    function getSigners() external view returns (address[] memory) {
        return signers;
    }

    function domainSeparator() public view returns (bytes32) {
        return keccak256(
            abi.encode(
                EIP712_DOMAIN_TYPEHASH,
                nameHash,
                versionHash,
                domainChainId == 0 ? block.chainid : domainChainId,
                domainVerifyingContract
            )
        );
    }

    /// EIP-712 hashStruct: a dynamic `bytes` member is keccak256 of its contents, an array
    /// member keccak256 of its elements' encodings concatenated (bytes32 elements: as is).
    function publicDecryptDigest(bytes32[] calldata handles, bytes calldata decryptedResult, bytes calldata extraData)
        public
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(
            abi.encode(
                PUBLIC_DECRYPT_TYPEHASH,
                keccak256(abi.encodePacked(handles)),
                keccak256(decryptedResult),
                keccak256(extraData)
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    /// The signer of a 65-byte r‖s‖v signature, or address(0) when it is malformed,
    /// has a high s, or a v outside {27, 28}.
    function recoverSigner(bytes32 digest, bytes calldata signature) public pure returns (address) {
        if (signature.length != 65) return address(0);
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (uint256(s) > HALF_CURVE_ORDER) return address(0);
        if (v != 27 && v != 28) return address(0);
        return ecrecover(digest, v, r, s);
    }

    /// Number of distinct known signers among `signatures`: unknown signers, signatures
    /// over anything else and repeats of a signer add nothing.
    function countValidSigners(
        bytes32[] calldata handles,
        bytes calldata decryptedResult,
        bytes calldata extraData,
        bytes[] calldata signatures
    ) public view returns (uint256 valid) {
        bytes32 digest = publicDecryptDigest(handles, decryptedResult, extraData);
        address[] memory seen = new address[](signatures.length);
        for (uint256 i = 0; i < signatures.length; i++) {
            address signer = recoverSigner(digest, signatures[i]);
            if (!isSigner[signer]) continue;
            bool repeated = false;
            for (uint256 j = 0; j < valid; j++) {
                if (seen[j] == signer) {
                    repeated = true;
                    break;
                }
            }
            if (repeated) continue;
            seen[valid] = signer;
            valid++;
        }
    }

    function verifyPublicDecrypt(
        bytes32[] calldata handles,
        bytes calldata decryptedResult,
        bytes calldata extraData,
        bytes[] calldata signatures
    ) public view returns (bool) {
        return countValidSigners(handles, decryptedResult, extraData, signatures) >= threshold;
    }

    /// `decryptedResult` is abi.encode(uint256, …): one 32-byte word per handle.
    function decodeUint256(bytes calldata decryptedResult) public pure returns (uint256[] memory values) {
        if (decryptedResult.length % 32 != 0) revert MalformedResult(decryptedResult.length);
        values = new uint256[](decryptedResult.length / 32);
        for (uint256 i = 0; i < values.length; i++) {
            values[i] = uint256(bytes32(decryptedResult[i * 32:(i + 1) * 32]));
        }
    }

    /// What a consumer does with a result: check the quorum, decode, act (here: emit).
    function publishDecryption(
        bytes32[] calldata handles,
        bytes calldata decryptedResult,
        bytes calldata extraData,
        bytes[] calldata signatures
    ) external returns (uint256[] memory values) {
        uint256 valid = countValidSigners(handles, decryptedResult, extraData, signatures);
        if (valid < threshold) revert NotEnoughSignatures(valid, threshold);
        if (decryptedResult.length != handles.length * 32) revert MalformedResult(decryptedResult.length);
        values = decodeUint256(decryptedResult);
        emit PublicDecryption(handles, values, extraData);
    }
}
