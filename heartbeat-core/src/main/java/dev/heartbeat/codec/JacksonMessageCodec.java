package dev.heartbeat.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.heartbeat.codec.DecodeException.FrameKind;
import dev.heartbeat.frame.WsFrame;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Typed JSON messages, one class per value of a {@code type} field: {@code {"type":"chat",...}}
 * decodes to the class registered as {@code chat}, and encoding a {@code Chat} writes
 * {@code "type":"chat"} first, so that {@code encode(decode(frame))} round-trips. Records work
 * as message classes.
 *
 * <p>Decoding never throws anything but {@link DecodeException}: a text over
 * {@linkplain Builder#maxTextLength(int) the limit} is {@code TOO_LARGE} (checked before
 * parsing); text that is not one JSON object, or whose fields do not fit the chosen class, is
 * {@code MALFORMED}; a missing or unregistered type is {@code UNKNOWN_TYPE}; a binary frame is
 * {@code WRONG_FRAME_KIND} unless {@linkplain Builder#acceptBinary(boolean) accepted}. The type
 * field is bound when the class declares it (as a record component, for instance) and left out
 * otherwise, so mappers with {@code FAIL_ON_UNKNOWN_PROPERTIES} enabled work too.
 *
 * <pre>{@code
 * sealed interface Msg permits Chat, Join {}
 * record Chat(String type, String text) implements Msg {}
 * record Join(String type, String user) implements Msg {}
 *
 * JacksonMessageCodec<Msg> codec = JacksonMessageCodec.builder(Msg.class)
 *     .register("chat", Chat.class)
 *     .register("join", Join.class)
 *     .build();
 * }</pre>
 *
 * @param <T> the common supertype of the messages
 */
public final class JacksonMessageCodec<T> implements MessageCodec<T> {

  /** Default {@linkplain Builder#typeField(String) type field}. */
  public static final String DEFAULT_TYPE_FIELD = "type";
  /** Default {@linkplain Builder#maxTextLength(int) longest text}: 256 Ki characters. */
  public static final int DEFAULT_MAX_TEXT_LENGTH = 262_144;

  private final Class<T> baseType;
  private final ObjectMapper objectMapper;
  private final String typeField;
  private final Map<String, Class<? extends T>> types;
  private final Map<Class<?>, String> namesByClass;
  private final Map<String, ObjectReader> readers;
  /** Type names whose class does not bind the type field: it is removed before binding. */
  private final Set<String> stripTypeField;
  private final ObjectReader treeReader;
  private final ObjectWriter writer;
  private final int maxTextLength;
  private final boolean acceptBinary;

  private JacksonMessageCodec(Builder<T> builder) {
    this.baseType = builder.baseType;
    this.objectMapper = builder.objectMapper != null ? builder.objectMapper : Builder.defaultMapper();
    this.typeField = builder.typeField;
    this.types = builder.types;
    this.maxTextLength = builder.maxTextLength;
    this.acceptBinary = builder.acceptBinary;
    // Readers and writers are immutable snapshots of the mapper's configuration.
    this.treeReader = objectMapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.writer = objectMapper.writer();
    Map<Class<?>, String> names = new HashMap<>();
    Map<String, ObjectReader> byName = new HashMap<>();
    Set<String> strip = new HashSet<>();
    types.forEach((name, type) -> {
      names.put(type, name);
      byName.put(name, objectMapper.readerFor(type));
      if (!bindsProperty(objectMapper, type, typeField)) {
        strip.add(name);
      }
    });
    this.namesByClass = Map.copyOf(names);
    this.readers = Map.copyOf(byName);
    this.stripTypeField = Set.copyOf(strip);
  }

  /**
   * A builder for messages of {@code baseType}. By default: a new {@link ObjectMapper} with
   * {@code FAIL_ON_UNKNOWN_PROPERTIES} disabled, type field {@code "type"}, texts up to 262144
   * characters, binary frames refused; at least one type must be
   * {@linkplain Builder#register(String, Class) registered}.
   *
   * <pre>{@code
   * JacksonMessageCodec<Msg> codec = JacksonMessageCodec.builder(Msg.class)
   *     .register("chat", Chat.class)
   *     .maxTextLength(64 * 1024)
   *     .build();
   * }</pre>
   */
  public static <T> Builder<T> builder(Class<T> baseType) {
    return new Builder<>(Objects.requireNonNull(baseType, "baseType"));
  }

  @Override
  public T decode(WsFrame frame) throws DecodeException {
    Objects.requireNonNull(frame, "frame");
    String text;
    if (frame instanceof WsFrame.Text t) {
      text = t.text();
      if (text.length() > maxTextLength) {
        throw DecodeException.tooLarge(frame, maxTextLength);
      }
    } else if (acceptBinary && frame instanceof WsFrame.Binary binary) {
      if (binary.length() > maxTextLength) {
        throw DecodeException.tooLarge(frame, maxTextLength);
      }
      text = utf8(frame, binary.bytes());
    } else {
      throw DecodeException.wrongFrameKind(frame, FrameKind.TEXT);
    }

    JsonNode tree;
    try {
      tree = treeReader.readTree(text);
    } catch (JsonProcessingException e) {
      throw DecodeException.malformed(frame, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (tree == null || !tree.isObject()) {
      throw DecodeException.malformed(frame, "not a JSON object", null);
    }
    JsonNode typeNode = tree.get(typeField);
    if (typeNode == null || !typeNode.isTextual()) {
      throw DecodeException.missingType(frame, typeField);
    }
    String typeName = typeNode.textValue();
    ObjectReader reader = readers.get(typeName);
    if (reader == null) {
      throw DecodeException.unknownType(frame, typeField, typeName);
    }
    if (stripTypeField.contains(typeName)) {
      ((ObjectNode) tree).remove(typeField);
    }
    try {
      return reader.readValue(tree);
    } catch (IOException | IllegalArgumentException e) {
      String detail = e instanceof JacksonException je ? je.getOriginalMessage() : e.getMessage();
      detail = Objects.toString(detail, e.getClass().getSimpleName());
      throw DecodeException.malformed(frame, "does not fit " + typeName + ": " + detail, e);
    }
  }

  /**
   * A text frame with {@code message} as a JSON object, its registered type name first in the
   * type field.
   *
   * @throws IllegalArgumentException naming {@code message} when its class is not registered
   *     (exactly: subclasses are not looked up) or it does not serialize to a JSON object
   */
  @Override
  public WsFrame encode(T message) {
    Objects.requireNonNull(message, "message");
    String name = namesByClass.get(message.getClass());
    if (name == null) {
      throw new IllegalArgumentException("message: " + message.getClass().getName()
          + " is not registered (registered: " + types.keySet() + ")");
    }
    JsonNode node = objectMapper.valueToTree(message);
    if (!(node instanceof ObjectNode fields)) {
      throw new IllegalArgumentException("message: " + message.getClass().getName()
          + " does not serialize to a JSON object");
    }
    ObjectNode out = objectMapper.createObjectNode();
    out.put(typeField, name);
    for (Map.Entry<String, JsonNode> field : fields.properties()) {
      if (!field.getKey().equals(typeField)) {
        out.set(field.getKey(), field.getValue());
      }
    }
    try {
      return WsFrame.text(writer.writeValueAsString(out));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("message: cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The common supertype of the messages. */
  public Class<T> baseType() {
    return baseType;
  }

  /** The name of the field that carries the type name. */
  public String typeField() {
    return typeField;
  }

  /** The registered classes by type name, in registration order. */
  public Map<String, Class<? extends T>> types() {
    return types;
  }

  /** The longest text decoded, in characters (in bytes for binary frames). */
  public int maxTextLength() {
    return maxTextLength;
  }

  /** Whether binary frames carrying UTF-8 JSON are decoded. */
  public boolean acceptBinary() {
    return acceptBinary;
  }

  @Override
  public String toString() {
    return "JacksonMessageCodec[" + baseType.getSimpleName() + " by " + typeField + ": " + types.keySet() + "]";
  }

  /**
   * Whether {@code type} takes {@code name} when deserialized (constructor parameter, setter,
   * field or any-setter). When unsure, true: the field is then left in, as it came.
   */
  private static boolean bindsProperty(ObjectMapper mapper, Class<?> type, String name) {
    try {
      BeanDescription description = mapper.getDeserializationConfig().introspect(mapper.constructType(type));
      if (description.findAnySetterAccessor() != null) {
        return true;
      }
      for (BeanPropertyDefinition property : description.findProperties()) {
        if (property.getName().equals(name)
            && (property.hasConstructorParameter() || property.hasSetter() || property.hasField())) {
          return true;
        }
      }
      return false;
    } catch (RuntimeException introspectionFailed) {
      return true;
    }
  }

  private static String utf8(WsFrame frame, byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw DecodeException.malformed(frame, "not valid UTF-8", e);
    }
  }

  /**
   * An immutable spec of a {@link JacksonMessageCodec}: every setter returns a new builder and
   * checks its argument at once, naming it in the exception.
   *
   * @param <T> the common supertype of the messages
   */
  public static final class Builder<T> {

    private final Class<T> baseType;
    private final @Nullable ObjectMapper objectMapper;
    private final String typeField;
    private final Map<String, Class<? extends T>> types;
    private final int maxTextLength;
    private final boolean acceptBinary;

    private Builder(Class<T> baseType) {
      this(baseType, null, DEFAULT_TYPE_FIELD, Collections.emptyMap(), DEFAULT_MAX_TEXT_LENGTH, false);
    }

    private Builder(Class<T> baseType, @Nullable ObjectMapper objectMapper, String typeField,
        Map<String, Class<? extends T>> types, int maxTextLength, boolean acceptBinary) {
      this.baseType = baseType;
      this.objectMapper = objectMapper;
      this.typeField = typeField;
      this.types = types;
      this.maxTextLength = maxTextLength;
      this.acceptBinary = acceptBinary;
    }

    /**
     * The mapper that reads and writes messages; configure it before {@link #build()}, which
     * snapshots its readers. By default a new {@link ObjectMapper} with
     * {@code FAIL_ON_UNKNOWN_PROPERTIES} disabled.
     */
    public Builder<T> objectMapper(ObjectMapper objectMapper) {
      Objects.requireNonNull(objectMapper, "objectMapper");
      return new Builder<>(baseType, objectMapper, typeField, types, maxTextLength, acceptBinary);
    }

    /** The field that names a message's type. By default {@code "type"}. */
    public Builder<T> typeField(String typeField) {
      Objects.requireNonNull(typeField, "typeField");
      if (typeField.isEmpty()) {
        throw new IllegalArgumentException("typeField: must not be empty");
      }
      return new Builder<>(baseType, objectMapper, typeField, types, maxTextLength, acceptBinary);
    }

    /**
     * Decodes messages whose type field is {@code typeName} as {@code type}, and writes
     * {@code typeName} when encoding a {@code type}. By default nothing is registered.
     *
     * @throws IllegalArgumentException naming {@code typeName} when it is empty or already
     *     registered, or {@code type} when it is abstract, not a {@code baseType}, or already
     *     registered under another name
     */
    public Builder<T> register(String typeName, Class<? extends T> type) {
      Objects.requireNonNull(typeName, "typeName");
      Objects.requireNonNull(type, "type");
      if (typeName.isEmpty()) {
        throw new IllegalArgumentException("typeName: must not be empty");
      }
      if (types.containsKey(typeName)) {
        throw new IllegalArgumentException("typeName: \"" + typeName + "\" is already registered for "
            + types.get(typeName).getName());
      }
      if (!baseType.isAssignableFrom(type)) {
        throw new IllegalArgumentException("type: " + type.getName() + " is not a " + baseType.getName());
      }
      if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
        throw new IllegalArgumentException("type: " + type.getName() + " is abstract; register concrete classes");
      }
      for (Map.Entry<String, Class<? extends T>> entry : types.entrySet()) {
        if (entry.getValue().equals(type)) {
          throw new IllegalArgumentException("type: " + type.getName() + " is already registered as \""
              + entry.getKey() + "\"");
        }
      }
      Map<String, Class<? extends T>> next = new LinkedHashMap<>(types);
      next.put(typeName, type);
      return new Builder<>(baseType, objectMapper, typeField, Collections.unmodifiableMap(next), maxTextLength,
          acceptBinary);
    }

    /**
     * The longest text decoded, in characters; binary frames are measured in bytes. Longer
     * frames are {@code TOO_LARGE}, found before parsing. By default 262144.
     */
    public Builder<T> maxTextLength(int maxTextLength) {
      if (maxTextLength <= 0) {
        throw new IllegalArgumentException("maxTextLength: must be positive, got " + maxTextLength);
      }
      return new Builder<>(baseType, objectMapper, typeField, types, maxTextLength, acceptBinary);
    }

    /**
     * Whether binary frames carrying UTF-8 JSON are decoded like text. By default false: a
     * binary frame is {@code WRONG_FRAME_KIND}. Encoding always writes text frames.
     */
    public Builder<T> acceptBinary(boolean acceptBinary) {
      return new Builder<>(baseType, objectMapper, typeField, types, maxTextLength, acceptBinary);
    }

    /**
     * The codec.
     *
     * @throws IllegalStateException naming {@code register} when no type is registered
     */
    public JacksonMessageCodec<T> build() {
      if (types.isEmpty()) {
        throw new IllegalStateException("register: at least one message type must be registered");
      }
      return new JacksonMessageCodec<>(this);
    }

    private static ObjectMapper defaultMapper() {
      return new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @Override
    public String toString() {
      return "JacksonMessageCodec.Builder[" + baseType.getSimpleName() + " by " + typeField + ": "
          + types.keySet() + ", maxTextLength " + maxTextLength + (acceptBinary ? ", binary" : "") + "]";
    }
  }
}
