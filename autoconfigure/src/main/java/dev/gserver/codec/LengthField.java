package dev.gserver.codec;

import java.nio.ByteOrder;

/**
 * How a frame declares its length: a field of 1, 2, 4 or 8 bytes (big-endian unless told) or a
 * varint, after {@link #offset(int) offset} bytes of header, counting the bytes that follow it
 * corrected by an {@link #adjustment(int) adjustment}; the reader hands over the frame with
 * {@link #strip(int) strip} bytes removed from its start (by default the header up to and
 * including the field, so that only the payload is left). Netty's
 * {@code LengthFieldBasedFrameDecoder} uses the same four numbers. Immutable.
 *
 * <pre>{@code
 * LengthField.uint16()                       // [len:2][payload]
 * LengthField.uint32().littleEndian()        // [len:4 LE][payload]
 * LengthField.uint8().offset(1).strip(0)     // [type:1][len:1][payload], handed over whole
 * LengthField.uint16().adjustment(-2)        // [len:2][payload], len counting itself
 * }</pre>
 */
public final class LengthField {

	/** The width of a varint field: known only once it is read. */
	static final int VARINT = 0;

	private static final int STRIP_HEADER = -1;

	private final int width;

	private final ByteOrder order;

	private final int offset;

	private final int adjustment;

	private final int strip;

	private LengthField(int width, ByteOrder order, int offset, int adjustment, int strip) {
		this.width = width;
		this.order = order;
		this.offset = offset;
		this.adjustment = adjustment;
		this.strip = strip;
	}

	/** One unsigned byte. */
	public static LengthField uint8() {
		return new LengthField(1, ByteOrder.BIG_ENDIAN, 0, 0, STRIP_HEADER);
	}

	/** Two bytes, unsigned. */
	public static LengthField uint16() {
		return new LengthField(2, ByteOrder.BIG_ENDIAN, 0, 0, STRIP_HEADER);
	}

	/** Four bytes, unsigned. */
	public static LengthField uint32() {
		return new LengthField(4, ByteOrder.BIG_ENDIAN, 0, 0, STRIP_HEADER);
	}

	/** Eight bytes; a negative value is malformed. */
	public static LengthField int64() {
		return new LengthField(8, ByteOrder.BIG_ENDIAN, 0, 0, STRIP_HEADER);
	}

	/** An unsigned varint as Protocol Buffers writes it: 7 bits per byte, low first, at most 10 bytes. */
	public static LengthField varint() {
		return new LengthField(VARINT, ByteOrder.BIG_ENDIAN, 0, 0, STRIP_HEADER);
	}

	public LengthField littleEndian() {
		return new LengthField(this.width, ByteOrder.LITTLE_ENDIAN, this.offset, this.adjustment, this.strip);
	}

	/** Returns a copy whose field comes after {@code offset} bytes of header (Netty's {@code lengthFieldOffset}). */
	public LengthField offset(int offset) {
		if (offset < 0) {
			throw new IllegalArgumentException("offset must not be negative, got " + offset);
		}
		return new LengthField(this.width, this.order, offset, this.adjustment, this.strip);
	}

	/**
	 * Returns a copy whose field's value plus {@code adjustment} is the number of bytes after the
	 * field (Netty's {@code lengthAdjustment}): {@code -2} for a 2-byte field that counts itself.
	 */
	public LengthField adjustment(int adjustment) {
		return new LengthField(this.width, this.order, this.offset, adjustment, this.strip);
	}

	/** Returns a copy that removes {@code bytes} from the start of each frame (Netty's {@code initialBytesToStrip}); 0 keeps the header. */
	public LengthField strip(int bytes) {
		if (bytes < 0) {
			throw new IllegalArgumentException("strip must not be negative, got " + bytes);
		}
		return new LengthField(this.width, this.order, this.offset, this.adjustment, bytes);
	}

	int width() {
		return this.width;
	}

	ByteOrder order() {
		return this.order;
	}

	int offset() {
		return this.offset;
	}

	int adjustment() {
		return this.adjustment;
	}

	/** Returns the bytes to strip, given how long the header turned out to be. */
	int bytesToStrip(int headerLength) {
		return (this.strip == STRIP_HEADER) ? headerLength : this.strip;
	}

	@Override
	public String toString() {
		String field = (this.width == VARINT) ? "varint" : (this.width * 8) + "-bit "
				+ (this.order == ByteOrder.BIG_ENDIAN ? "big-endian" : "little-endian");
		return "LengthField(" + field + ", offset=" + this.offset + ", adjustment=" + this.adjustment + ", strip="
				+ ((this.strip == STRIP_HEADER) ? "header" : this.strip) + ")";
	}

}
